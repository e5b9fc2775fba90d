/** An error as the terminal and dashboard show it: the message, then its details (a compiler's output). */
export function errorText(error: unknown): string {
  if (error instanceof Error) {
    const details = (error as { details?: string }).details;
    return details ? `${error.message}\n${details}` : error.message;
  }
  return String(error);
}
