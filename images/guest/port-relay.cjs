/*bottle-port-relay*/
// The guest half of `bottle port` (lib/forward/relay.ts passes this text to
// `node -e` in the agent machine, the port as its argument): joins stdin and
// stdout to one TCP connection to the guest's own 127.0.0.1:<port>. The end
// of stdin ends the connection's sending side; it exits when the connection
// closes, and says on stderr why it could not connect. It opens nothing else.
const port = Number(process.argv[1]);
const s = require('net').connect(port, '127.0.0.1');
process.stdin.pipe(s);
// Not ended by pipe (stdout never is); writes to a pipe are synchronous, so exiting loses nothing.
s.pipe(process.stdout);
s.on('error', (e) => {
  process.stderr.write('cannot connect to 127.0.0.1:' + port + ' in the guest: ' + e.message + '\n');
  process.exit(1);
});
s.on('close', () => process.exit(0));
