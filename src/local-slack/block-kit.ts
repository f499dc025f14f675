// Block Kit checks for the fake Slack: the documented limits (python-slack-sdk's validators and
// docs.slack.dev; summarised in Slack's own block reference) that make the real API answer
// `invalid_blocks`. A violation returns a message naming the path, so a failing test says why.

type Json = Record<string, unknown>;

export type Surface = "message" | "modal" | "home";

class Invalid extends Error {}

function fail(path: string, what: string): never {
  throw new Invalid(`${path}: ${what}`);
}

function isObj(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function text(v: unknown, path: string, opts: { plainOnly?: boolean; max: number }): void {
  if (!isObj(v)) fail(path, "must be a text object");
  if (v.type !== "plain_text" && v.type !== "mrkdwn") fail(path, `unknown text type ${String(v.type)}`);
  if (opts.plainOnly && v.type !== "plain_text") fail(path, "must be plain_text");
  if (typeof v.text !== "string") fail(path, "text must be a string");
  if (v.text.length === 0) fail(path, "text must not be empty");
  if (v.text.length > opts.max) fail(path, `text is ${v.text.length} characters; the limit is ${opts.max}`);
}

function str(v: unknown, path: string, max: number, required = true): void {
  if (v === undefined && !required) return;
  if (typeof v !== "string") fail(path, "must be a string");
  if (v.length > max) fail(path, `is ${v.length} characters; the limit is ${max}`);
}

/** An image element or block: its address and alt text. */
function image(v: Json, path: string): void {
  str(v.image_url, `${path}.image_url`, 3000);
  str(v.alt_text, `${path}.alt_text`, 2000);
}

function confirm(v: unknown, path: string): void {
  if (v === undefined) return;
  if (!isObj(v)) fail(path, "must be an object");
  text(v.title, `${path}.title`, { plainOnly: true, max: 100 });
  text(v.text, `${path}.text`, { max: 300 });
  text(v.confirm, `${path}.confirm`, { plainOnly: true, max: 30 });
  text(v.deny, `${path}.deny`, { plainOnly: true, max: 30 });
}

function option(v: unknown, path: string): void {
  if (!isObj(v)) fail(path, "must be an option object");
  text(v.text, `${path}.text`, { max: 75 });
  str(v.value, `${path}.value`, 150);
  if (v.description !== undefined) text(v.description, `${path}.description`, { max: 75 });
}

function options(v: unknown, path: string, max: number): void {
  if (!Array.isArray(v)) fail(path, "must be a list");
  if (v.length === 0) fail(path, "must not be empty");
  if (v.length > max) fail(path, `has ${v.length} options; the limit is ${max}`);
  v.forEach((o, i) => option(o, `${path}[${i}]`));
}

function element(v: unknown, path: string, actionIds: Set<string>): void {
  if (!isObj(v)) fail(path, "must be an element");
  const interactive = v.type !== "image";
  if (interactive) {
    if (v.action_id !== undefined) {
      str(v.action_id, `${path}.action_id`, 255);
      if (actionIds.has(v.action_id as string)) fail(`${path}.action_id`, `duplicate action_id ${v.action_id as string} in one block`);
      actionIds.add(v.action_id as string);
    }
    confirm(v.confirm, `${path}.confirm`);
  }
  switch (v.type) {
    case "button":
      text(v.text, `${path}.text`, { plainOnly: true, max: 75 });
      str(v.value, `${path}.value`, 2000, false);
      str(v.url, `${path}.url`, 3000, false);
      if (v.style !== undefined && v.style !== "primary" && v.style !== "danger") fail(`${path}.style`, "must be primary or danger");
      return;
    case "static_select":
    case "multi_static_select":
      if (v.placeholder !== undefined) text(v.placeholder, `${path}.placeholder`, { plainOnly: true, max: 150 });
      if (v.options === undefined && v.option_groups === undefined) fail(path, "needs options or option_groups");
      if (v.options !== undefined) options(v.options, `${path}.options`, 100);
      if (v.initial_option !== undefined) option(v.initial_option, `${path}.initial_option`);
      return;
    case "overflow":
      options(v.options, `${path}.options`, 5);
      return;
    case "users_select":
    case "multi_users_select":
    case "conversations_select":
    case "multi_conversations_select":
    case "channels_select":
      if (v.placeholder !== undefined) text(v.placeholder, `${path}.placeholder`, { plainOnly: true, max: 150 });
      return;
    case "plain_text_input":
      if (v.placeholder !== undefined) text(v.placeholder, `${path}.placeholder`, { plainOnly: true, max: 150 });
      if (v.max_length !== undefined && (typeof v.max_length !== "number" || v.max_length < 1 || v.max_length > 3000)) {
        fail(`${path}.max_length`, "must be 1 to 3000");
      }
      if (v.min_length !== undefined && (typeof v.min_length !== "number" || v.min_length < 0 || v.min_length > 3000)) {
        fail(`${path}.min_length`, "must be 0 to 3000");
      }
      str(v.initial_value, `${path}.initial_value`, 3000, false);
      return;
    case "checkboxes":
    case "radio_buttons": {
      options(v.options, `${path}.options`, 10);
      // Slack refuses initial options that are not exactly (text and all) among the options
      const all = (v.options as unknown[]).map((o) => JSON.stringify(o));
      const initial = v.type === "checkboxes" ? v.initial_options : v.initial_option === undefined ? undefined : [v.initial_option];
      if (initial !== undefined) {
        if (!Array.isArray(initial)) fail(`${path}.initial_options`, "must be a list");
        initial.forEach((o, i) => {
          if (!all.includes(JSON.stringify(o))) fail(`${path}.initial_options[${i}]`, "must be exactly one of the options");
        });
      }
      return;
    }
    case "datetimepicker":
      if (v.initial_date_time !== undefined && (typeof v.initial_date_time !== "number" || !Number.isInteger(v.initial_date_time) || v.initial_date_time < 0)) fail(`${path}.initial_date_time`, "must be a Unix timestamp in seconds");
      return;
    case "datepicker":
      if (v.initial_date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(v.initial_date as string)) fail(`${path}.initial_date`, "must be YYYY-MM-DD");
      return;
    case "image":
      return image(v, path);
    default:
      fail(path, `unsupported element type ${String(v.type)}`);
  }
}

function block(v: unknown, path: string, surface: Surface, blockIds: Set<string>): void {
  if (!isObj(v)) fail(path, "must be a block");
  if (v.block_id !== undefined) {
    str(v.block_id, `${path}.block_id`, 255);
    if (blockIds.has(v.block_id as string)) fail(`${path}.block_id`, `duplicate block_id ${v.block_id as string}`);
    blockIds.add(v.block_id as string);
  }
  const actionIds = new Set<string>();
  switch (v.type) {
    case "section":
      if (v.text === undefined && v.fields === undefined) fail(path, "a section needs text or fields");
      if (v.text !== undefined) text(v.text, `${path}.text`, { max: 3000 });
      if (v.fields !== undefined) {
        if (!Array.isArray(v.fields) || v.fields.length > 10) fail(`${path}.fields`, "at most 10 fields");
        v.fields.forEach((f, i) => text(f, `${path}.fields[${i}]`, { max: 2000 }));
      }
      if (v.accessory !== undefined) element(v.accessory, `${path}.accessory`, actionIds);
      return;
    case "header":
      text(v.text, `${path}.text`, { plainOnly: true, max: 150 });
      return;
    case "divider":
      return;
    case "context":
      if (!Array.isArray(v.elements) || v.elements.length === 0 || v.elements.length > 10) fail(`${path}.elements`, "1 to 10 elements");
      v.elements.forEach((e, i) => {
        if (isObj(e) && e.type === "image") element(e, `${path}.elements[${i}]`, actionIds);
        else text(e, `${path}.elements[${i}]`, { max: 3000 });
      });
      return;
    case "actions":
      if (!Array.isArray(v.elements) || v.elements.length === 0 || v.elements.length > 25) fail(`${path}.elements`, "1 to 25 elements");
      v.elements.forEach((e, i) => element(e, `${path}.elements[${i}]`, actionIds));
      return;
    case "input":
      if (surface === "message") fail(path, "input blocks are for modals and Home tabs");
      text(v.label, `${path}.label`, { plainOnly: true, max: 2000 });
      if (v.hint !== undefined) text(v.hint, `${path}.hint`, { plainOnly: true, max: 2000 });
      element(v.element, `${path}.element`, actionIds);
      return;
    case "markdown":
      str(v.text, `${path}.text`, 12000);
      return;
    case "rich_text":
      if (!Array.isArray(v.elements)) fail(`${path}.elements`, "must be a list");
      return;
    case "image":
      return image(v, path);
    default:
      fail(path, `unsupported block type ${String(v.type)}`);
  }
}

/** Returns undefined when the blocks are acceptable, else why not. */
export function checkBlocks(blocks: unknown, surface: Surface): string | undefined {
  try {
    if (!Array.isArray(blocks)) fail("blocks", "must be a list");
    const max = surface === "message" ? 50 : 100;
    if (blocks.length > max) fail("blocks", `${blocks.length} blocks; the limit is ${max}`);
    const ids = new Set<string>();
    blocks.forEach((b, i) => block(b, `blocks[${i}]`, surface, ids));
    return undefined;
  } catch (err) {
    if (err instanceof Invalid) return err.message;
    throw err;
  }
}

/** Checks a modal or Home view; undefined when acceptable. */
export function checkView(view: unknown): string | undefined {
  try {
    if (!isObj(view)) fail("view", "must be an object");
    if (view.type !== "modal" && view.type !== "home") fail("view.type", "must be modal or home");
    if (view.type === "modal") {
      text(view.title, "view.title", { plainOnly: true, max: 24 });
      if (view.submit !== undefined) text(view.submit, "view.submit", { plainOnly: true, max: 24 });
      if (view.close !== undefined) text(view.close, "view.close", { plainOnly: true, max: 24 });
      const hasInput = Array.isArray(view.blocks) && view.blocks.some((b) => isObj(b) && b.type === "input");
      if (hasInput && view.submit === undefined) fail("view.submit", "must define submit to use input block");
    }
    str(view.private_metadata, "view.private_metadata", 3000, false);
    str(view.callback_id, "view.callback_id", 255, false);
    str(view.external_id, "view.external_id", 255, false);
    return checkBlocks(view.blocks, view.type === "modal" ? "modal" : "home");
  } catch (err) {
    if (err instanceof Invalid) return err.message;
    throw err;
  }
}
