/**
 * The showcase: two hosts over a lossy, jittery link. The client pings the server every 100 ms
 * for two seconds; the server answers each ping it receives. Every packet is traced as sent,
 * then delivered or dropped with its reason, and the run ends with its trace hash: run it twice
 * with the same seed and the hash is the same; change the seed and the losses move.
 */
import { defineScenario, ms, type Payload } from 'wsksim';

class Echo implements Payload {
  readonly kind: 'ping' | 'pong';
  readonly sequence: number;
  readonly digest: number;

  constructor(kind: 'ping' | 'pong', sequence: number) {
    this.kind = kind;
    this.sequence = sequence;
    this.digest = kind === 'ping' ? sequence : -sequence - 1;
  }

  describe(): string {
    return `${this.kind} #${this.sequence}`;
  }
}

const PINGS = 20;

export default defineScenario({
  name: 'showcase',
  description:
    'Two hosts ping each other over a 5 ms link with 2 ms of jitter, 10% loss and 2% duplication',
  seeds: [1, 2, 3],
  build(sim) {
    const client = sim.addHost<Echo>({ name: 'client', ipv4: '10.0.0.1' });
    const server = sim.addHost<Echo>({ name: 'server', ipv4: '10.0.0.2' });
    sim.addLink('client', 'server', {
      latency: '5ms',
      jitter: { distribution: 'uniform', max: '2ms' },
      loss: 0.1,
      duplicate: 0.02,
    });
    const answered = new Set<number>();
    server.onReceive((packet) => {
      if (packet.payload.kind === 'ping') {
        server.send('10.0.0.2', packet.source, 64, new Echo('pong', packet.payload.sequence));
      }
    });
    client.onReceive((packet) => void answered.add(packet.payload.sequence));
    for (let sequence = 0; sequence < PINGS; sequence++) {
      client.schedule(
        sequence * 100e6,
        'ping',
        () => void client.send('10.0.0.1', '10.0.0.2', 64, new Echo('ping', sequence)),
      );
    }
    return { answered };
  },
  check(_run, { answered }) {
    // With 10% loss each way, about 81% of round trips succeed; all lost would mean no network.
    if (answered.size === 0) throw new Error(`none of ${PINGS} pings was answered`);
  },
  limits: { time: ms(10_000) },
});
