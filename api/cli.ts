import { Command } from 'commander';

const program = new Command();
program.name('orrery').description('Event-sourced, Kubernetes-compatible orchestration engine with a time-travel debugger');

program
  .command('serve')
  .description('serve the Kubernetes API over the embedded store with a simulated cluster')
  .action(async () => {
    console.log('orrery: the API server is being built; see README.md');
  });

await program.parseAsync(process.argv);
