/** Where a command writes its output: stdout, stderr, or a test's buffer. */
export type Write = (text: string) => void;
