// The CLI: commander wiring, exit codes, error printing. The only layer that knows about argv and
// stdio; everything below takes parameters. Returns the exit code instead of exiting.

import { Command, CommanderError } from 'commander';
import { redactSecrets } from '../azure/sas-token.js';
import { ExitCode } from '../errors.js';
import { registerAgent } from './commands/agent.js';
import { registerCalibrate } from './commands/calibrate.js';
import { registerReport } from './commands/report.js';
import { registerInit } from './commands/init.js';
import { registerRelay } from './commands/relay.js';
import { registerRun } from './commands/run.js';
import { registerSchema } from './commands/schema.js';
import { registerTunnel } from './commands/tunnel.js';
import { registerValidate } from './commands/validate.js';
import { registerCompare } from './commands/compare.js';
import { registerTrend } from './commands/trend.js';
import { registerCapacity } from './commands/capacity.js';
import { registerRegions } from './commands/regions.js';
import { registerRecord } from './commands/record.js';
import { registerReplaySummary } from './commands/replay-summary.js';
import { registerMerge } from './commands/merge.js';
import { registerK8s } from './commands/k8s.js';
import type { CliIo } from './io.js';
import { printError, printScenarioError } from './print-error.js';
import { ScenarioError } from '../errors.js';
import { INTERRUPT_BUDGET_MS, STEP_DRAIN_MS } from '../bounded.js';

/** What the first Ctrl-C does, per command (bin.ts prints it); each command says its own. */
export function interruptNotice(argv: readonly string[]): string {
  const again = '(Ctrl-C again to quit now)';
  switch (commandOf(argv)) {
    case 'run':
      return `interrupted: finishing the current step and writing partial results ${again}`;
    case 'capacity':
      return `interrupted: stopping the search and writing what was measured ${again}`;
    case 'agent':
      return `interrupted: agent unregistering from the relay and stopping ${again}`;
    case 'tunnel':
      return `interrupted: tunnel closing its connections and stopping ${again}`;
    case 'relay':
      return `interrupted: relay emulator closing ${again}`;
    case 'calibrate':
      return `interrupted: calibration stopping, nothing saved ${again}`;
    case 'record':
      return `interrupted: recording stopped, writing the trace ${again}`;
    default:
      return `interrupted: stopping ${again}`;
  }
}

/**
 * Longest a command may take after the first Ctrl-C, ms (the README states these): `run` and
 * `capacity` stop the current step (its drain, at most STEP_DRAIN_MS) and then have
 * INTERRUPT_BUDGET_MS; every other command has INTERRUPT_BUDGET_MS. bin.ts exits when it is up.
 */
export function interruptBoundMs(argv: readonly string[]): number {
  const command = commandOf(argv);
  return command === 'run' || command === 'capacity' ? STEP_DRAIN_MS + INTERRUPT_BUDGET_MS : INTERRUPT_BUDGET_MS;
}

function commandOf(argv: readonly string[]): string | undefined {
  return argv.find((arg) => !arg.startsWith('-'));
}

/** Runs `hcbench <argv...>` and resolves with the exit code. */
export async function main(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  let exitCode: ExitCode = ExitCode.Ok;
  const setExit = (code: ExitCode) => {
    exitCode = code;
  };
  const program = new Command('hcbench')
    .description('what the Azure App Service Hybrid Connection relay hop costs your protocol, vs a direct path')
    .option('--verbose', 'print component logs and stack traces')
    .exitOverride()
    .showHelpAfterError('(run hcbench --help for usage)')
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      // A misspelt `--connection-strin=<secret>` must not echo its value.
      writeErr: (text) => io.stderr.write(redactSecrets(text.replace(/(unknown option '[^'=]*)=[^']*'/g, "$1=…'"))),
    });
  registerRun(program, io, setExit);
  registerValidate(program, io, setExit);
  registerSchema(program, io, setExit);
  registerRelay(program, io, setExit);
  registerInit(program, io, setExit);
  registerReport(program, io, setExit);
  registerCompare(program, io, setExit);
  registerTrend(program, io, setExit);
  registerCapacity(program, io, setExit);
  registerAgent(program, io, setExit);
  registerTunnel(program, io, setExit);
  registerCalibrate(program, io, setExit);
  registerRegions(program, io, setExit);
  registerRecord(program, io, setExit);
  registerReplaySummary(program, io, setExit);
  registerMerge(program, io, setExit);
  registerK8s(program, io, setExit);

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      const isInfo = error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help';
      return isInfo ? ExitCode.Ok : ExitCode.Usage;
    }
    if (error instanceof ScenarioError) {
      printScenarioError(io, error);
      return ExitCode.InvalidScenario;
    }
    return printError(io, error, program.opts<{ verbose?: boolean }>().verbose === true);
  }
}
