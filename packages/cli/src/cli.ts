#!/usr/bin/env node
/**
 * The `weir` executable: runs the CLI on the process arguments and exits with its code.
 * @packageDocumentation
 */
import { runCli } from './program.js';

// `weir query ... | head` closes the pipe early: that is the reader's choice, not a failure.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

const code = await runCli(process.argv.slice(2));
// Exit explicitly once stdout is flushed: `weir run` leaves kafkajs timers and sockets behind
// that would otherwise keep the process alive after the app stopped.
process.stdout.write('', () => process.exit(code));
