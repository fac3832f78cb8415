/**
 * Downloads an export (CSV, JSON) with the bearer token (a plain link cannot send
 * it), under the name the server gives or `fallback`.
 */
export async function downloadFile(url: string, token: string, fallback: string): Promise<string | null> {
  const answer = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
  if (!answer.ok) {
    // Refusals come in the GraphQL error shape.
    try {
      const body = (await answer.json()) as { errors?: { message?: string }[] };
      const message = body.errors?.[0]?.message;
      if (answer.status === 400 && message) return message;
    } catch {
      // not JSON: fall through
    }
    return answer.status === 403 ? "Only the OSPO may export." : "The export could not be made. Please try again.";
  }
  const name = /filename="?([^";]+)"?/.exec(answer.headers.get("content-disposition") ?? "")?.[1] ?? fallback;
  const link = document.createElement("a");
  link.href = URL.createObjectURL(await answer.blob());
  link.download = name;
  link.click();
  URL.revokeObjectURL(link.href);
  return null;
}
