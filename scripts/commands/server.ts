// `dlgrade server status|stop`: the background servers `dlgrade check` keeps warm (graders/check-server/).
import type { Command } from 'commander';
import { serverStatuses, stopServers } from '../../graders/check-server/client.js';
import { plural } from './common.js';

export function registerServer(program: Command): void {
  const server = program.command('server').description('see or stop the background check servers that keep "dlgrade check" warm');
  server
    .command('status')
    .description('list the running check servers: pid, checks answered, when each exits if idle')
    .option('--json', 'print the statuses as JSON')
    .action(async (opts: { json?: boolean }) => {
      const running = (await serverStatuses()).filter((s) => s.status);
      if (opts.json) {
        process.stdout.write(JSON.stringify(running.map((s) => s.status), null, 2) + '\n');
        return;
      }
      if (running.length === 0) {
        process.stdout.write('no check server is running\n');
        return;
      }
      for (const { status } of running) {
        const s = status!;
        const details = Object.entries(s.details).map(([k, v]) => `${k} ${v}`).join(', ');
        process.stdout.write(`pid ${s.pid}: ${plural(s.checks, 'check')} since ${s.startedAt}, exits after ${s.idleExitInS} s idle${details ? `; ${details}` : ''}\n  socket ${s.socket}\n`);
      }
    });
  server
    .command('stop')
    .description('stop every check server of this user (a check under way finishes first)')
    .action(async () => {
      const stopped = await stopServers();
      process.stdout.write(stopped.length ? `stopped ${plural(stopped.length, 'check server')} (pid ${stopped.join(', ')})\n` : 'no check server was running\n');
    });
}
