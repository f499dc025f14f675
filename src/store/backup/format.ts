// The backup file's lines, as docs/backups.md writes them down: the header, each table's start and
// end, the sequences, and the last line.

import { z } from "zod";

export const BACKUP_FORMAT = "warroom-backup";
export const BACKUP_VERSION = 1;
export const END_OF_DATA = Buffer.from("\\.\n");
export const headerSchema = z.object({
  format: z.literal(BACKUP_FORMAT),
  version: z.literal(BACKUP_VERSION),
  createdAt: z.string(),
  postgres: z.string(),
  migrations: z.array(z.string()).min(1),
  tables: z.array(z.object({ name: z.string().min(1), columns: z.array(z.string().min(1)).min(1) })),
});
export type BackupHeader = z.infer<typeof headerSchema>;

export const tableStartSchema = z.object({ table: z.string() });
export const tableEndSchema = z.object({ end: z.string(), rows: z.number().int().min(0), sha256: z.string(), checksum: z.string() });
export const sequencesSchema = z.object({ sequences: z.array(z.object({ name: z.string(), value: z.string().nullable() })) });
export const backupEndSchema = z.object({ end: z.literal("backup"), tables: z.number().int(), rows: z.number().int() });
