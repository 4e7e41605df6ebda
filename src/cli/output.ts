let installed = false;

/**
 * Makes a closed stdout (e.g. `samestory cluster ... | head`) end the process quietly instead of
 * crashing with an unhandled EPIPE error.
 */
export function exitQuietlyWhenStdoutCloses(): void {
  if (installed) return;
  installed = true;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}
