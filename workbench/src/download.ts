// Files the server sends inside an RPC answer (bytes, a suggested name and a
// media type) become a download the browser saves.

/** The extensions that name each media type the server sends, the first one preferred. */
const EXTENSIONS: Record<string, readonly string[]> = {
  "application/pdf": ["pdf"],
  "image/jpeg": ["jpg", "jpeg", "jpe", "jfif"],
  "image/png": ["png"],
  "text/csv": ["csv"],
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ["xlsx"],
};

/**
 * The name a file is saved under: the name given, with the extension of what
 * the file is when the name ends in another one or none. The browser and the
 * desktop open a saved file by its name, so an applicant's PDF named
 * `审核须知.html` or `run.hta` must not be saved as a web page or a program
 * (found by attacking the registry, 2026-12-05): it is saved as
 * `审核须知.html.pdf`. A type the list does not know keeps the name.
 */
export function safeFileName(fileName: string, contentType: string): string {
  const type = contentType.split(";")[0]?.trim().toLowerCase() ?? "";
  const known = EXTENSIONS[type];
  const name = fileName.trim() === "" ? "file" : fileName;
  if (known === undefined) return name;
  const dot = name.lastIndexOf(".");
  const ext = dot > 0 ? name.slice(dot + 1).toLowerCase() : "";
  return known.includes(ext) ? name : `${name}.${known[0]}`;
}

export function saveFile(content: Uint8Array, fileName: string, contentType: string): void {
  const blob = new Blob([content as Uint8Array<ArrayBuffer>], { type: contentType || "application/octet-stream" });
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = safeFileName(fileName, contentType);
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  // The download has started by now; keep the URL a while for slow disks.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** An object URL for showing an attachment in the page (revoke it when done). */
export function objectUrl(content: Uint8Array, contentType: string): string {
  return URL.createObjectURL(new Blob([content as Uint8Array<ArrayBuffer>], { type: contentType }));
}
