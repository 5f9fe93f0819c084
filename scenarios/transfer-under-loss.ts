/**
 * 256 KB from a windows10 client to a linux server over a link with 10% loss, 2 ms of jitter
 * and 1% reordering, each way. Every byte must arrive intact and in order; the retransmissions
 * (RFC 6298 timeouts, fast retransmit on three duplicate ACKs) show in the trace and the pcap.
 *
 *   npx wsksim run transfer-under-loss --seed 4 --pcap transfer.pcap
 */
import { defineScenario, type TcpConnection } from 'wsksim';

const SIZE = 256 * 1024;

function content(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 7 + (i >>> 8)) & 0xff;
  return bytes;
}

export default defineScenario({
  name: 'transfer-under-loss',
  description: '256 KB windows10 → linux under 10% loss, jitter and reordering arrives intact',
  seeds: [1, 2, 3],
  build(sim) {
    sim.addHost({ name: 'client', ipv4: '10.0.0.1' });
    sim.addHost({ name: 'server', ipv4: '10.0.0.2' });
    sim.addLink('client', 'server', {
      latency: '10ms',
      jitter: { distribution: 'uniform', max: '2ms' },
      loss: 0.1,
      reorder: 0.01,
      reorderDelay: '5ms',
    });
    const sent = content(SIZE);
    const chunks: Uint8Array[] = [];
    let received = 0;
    sim.tcp('server', { profile: 'linux' }).listen(
      { local: { port: 9000 } },
      {
        onReady(listener) {
          listener.accept({
            onData(connection: TcpConnection) {
              for (let chunk = connection.read(); chunk.length > 0; chunk = connection.read()) {
                chunks.push(chunk.slice());
                received += chunk.length;
              }
            },
          });
        },
      },
    );
    sim.tcp('client', { dataRetransmissions: 15 }).connect(
      { remote: { address: '10.0.0.2', port: 9000 } },
      {
        onEstablished: (connection) => void connection.send(sent),
      },
    );
    return { sent, chunks, received: () => received };
  },
  until: ({ received }) => received() === SIZE,
  check({ outcome }, { sent, chunks }) {
    if (outcome.status !== 'condition-met')
      throw new Error(`the transfer did not finish: ${outcome.status}`);
    const joined = new Uint8Array(SIZE);
    let offset = 0;
    for (const chunk of chunks) {
      joined.set(chunk, offset);
      offset += chunk.length;
    }
    const firstBad = joined.findIndex((byte, i) => byte !== sent[i]);
    if (firstBad >= 0) throw new Error(`byte ${firstBad} differs`);
  },
  limits: { time: '10m' },
});
