// A configuration problem: its message is one line naming the variable, or the file, line and key,
// and what was expected. main prints it and exits 1.

export class ConfigError extends Error {}
