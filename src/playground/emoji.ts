// :shortcode: → emoji, from node-emoji (emojilib's names), with the few names Slack spells its own way.

import { get } from "node-emoji";

const SLACK_NAMES: Record<string, string> = {
  raising_hand: "🙋",
  large_orange_circle: "🟠",
  large_yellow_circle: "🟡",
  large_green_circle: "🟢",
  large_blue_circle: "🔵",
  white_square: "⬜",
  thumbsup: "👍",
  thumbsdown: "👎",
  simple_smile: "🙂",
  robot_face: "🤖",
};

export function emojiFor(name: string): string | undefined {
  return SLACK_NAMES[name] ?? get(name);
}
