/** formatDate shows an RFC 3339 date-time in the browser's locale. */
export function formatDate(v: string | undefined): string {
  if (!v) return '';
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? v : d.toLocaleString();
}
