// Times, in the viewer's time zone: Slack's <!date^…> tokens rendered as its clients render them.

export const dateLong = new Intl.DateTimeFormat(undefined, { weekday: "long", year: "numeric", month: "long", day: "numeric" });
export const dateMid = new Intl.DateTimeFormat(undefined, { year: "numeric", month: "long", day: "numeric" });
export const dateShort = new Intl.DateTimeFormat(undefined, { year: "numeric", month: "short", day: "numeric" });
export const timeShort = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit" });
export const timeSecs = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit", second: "2-digit" });
export const relative = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });

export function dayWord(d) {
  const day = (x) => new Date(x.getFullYear(), x.getMonth(), x.getDate()).getTime();
  const diff = Math.round((day(d) - day(new Date())) / 86_400_000);
  return Math.abs(diff) <= 1 ? relative.format(diff, "day") : undefined;
}

export function ago(d) {
  const s = Math.round((d.getTime() - Date.now()) / 1000);
  const a = Math.abs(s);
  if (a < 60) return relative.format(s, "second");
  if (a < 3600) return relative.format(Math.round(s / 60), "minute");
  if (a < 86_400) return relative.format(Math.round(s / 3600), "hour");
  return relative.format(Math.round(s / 86_400), "day");
}

export function formatDate(d, format) {
  const iso = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
  return format.replace(/\{(\w+)\}/g, (whole, key) => {
    switch (key) {
      case "date_num":
        return iso;
      case "date":
        return dateMid.format(d);
      case "date_short":
        return dateShort.format(d);
      case "date_long":
        return dateLong.format(d);
      case "date_pretty":
        return dayWord(d) ?? dateMid.format(d);
      case "date_short_pretty":
        return dayWord(d) ?? dateShort.format(d);
      case "date_long_pretty":
        return dayWord(d) ?? dateLong.format(d);
      case "time":
        return timeShort.format(d);
      case "time_secs":
        return timeSecs.format(d);
      case "ago":
        return ago(d);
      default:
        return whole;
    }
  });
}

export function localizeTimes(root) {
  for (const t of root.querySelectorAll("time[data-format]")) {
    const d = new Date(t.getAttribute("datetime"));
    if (Number.isNaN(d.getTime())) continue;
    t.textContent = formatDate(d, t.dataset.format);
    t.title = d.toLocaleString();
  }
}
