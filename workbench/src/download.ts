// Files the server sends inside an RPC answer (bytes, a suggested name and a
// media type) become a download the browser saves.

export function saveFile(content: Uint8Array, fileName: string, contentType: string): void {
  const blob = new Blob([content as Uint8Array<ArrayBuffer>], { type: contentType || "application/octet-stream" });
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = fileName;
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
