// How a helper process ends cleanly: on SIGTERM it stops what it runs and says so, as
// its parent test expects ({"stopped": true} as its last line). kill -9 skips all this.

export function stopOnSigterm(stop: () => Promise<void>): void {
  process.once('SIGTERM', () => {
    void stop().then(() => console.log(JSON.stringify({ stopped: true })));
  });
}
