/**
 * The retransmission timer's arithmetic, RFC 6298 (docs/tcp.md#rto-rules): SRTT and RTTVAR from RTT
 * samples, RTO = SRTT + max(G, 4·RTTVAR) clamped to the profile's [rtoMin, rtoMax], doubling on
 * each expiry (§5.5). Karn's rule — no sample from a retransmitted segment — is the caller's
 * part: it times one segment at a time and forgets the timing when it retransmits.
 *
 * The estimator is a handful of fields on the connection itself rather than an object of its own,
 * so a connection costs one allocation (docs/design.md#performance-metrics); these functions work
 * on those fields.
 */
import type { TcpProfile } from './profiles.ts';

/** Clock granularity G of RFC 6298 §2: the virtual clock is exact; 1 ms keeps RTO above RTT. */
const GRANULARITY_NS = 1_000_000;

/** The fields of RFC 6298 §2, in nanoseconds; `srtt < 0` means no sample yet. */
export interface RttFields {
  srtt: number;
  rttvar: number;
  rto: number;
}

/** Folds one RTT sample in (RFC 6298 §2.2 for the first, §2.3 after) and recomputes RTO. */
export function sampleRtt(fields: RttFields, sample: number, profile: TcpProfile): void {
  if (fields.srtt < 0) {
    fields.srtt = sample;
    fields.rttvar = sample / 2;
  } else {
    fields.rttvar = 0.75 * fields.rttvar + 0.25 * Math.abs(fields.srtt - sample);
    fields.srtt = 0.875 * fields.srtt + 0.125 * sample;
  }
  const rto = Math.round(fields.srtt + Math.max(GRANULARITY_NS, 4 * fields.rttvar));
  fields.rto = clampRto(rto, profile);
}

/** RFC 6298 §5.5: back the timer off by doubling, up to the profile's maximum. */
export function backOff(fields: RttFields, profile: TcpProfile): void {
  fields.rto = Math.min(fields.rto * 2, profile.rtoMax);
}

/**
 * Karn (RFC 6298 §5 and Karn & Partridge): the backed-off RTO is kept until an acknowledgment
 * arrives for a segment that was not retransmitted; then RTO is computed afresh from SRTT and
 * RTTVAR (or is the initial RTO while there is no sample).
 */
export function collapseBackoff(fields: RttFields, profile: TcpProfile): void {
  fields.rto = fields.srtt < 0
    ? profile.rtoInitial
    : clampRto(Math.round(fields.srtt + Math.max(GRANULARITY_NS, 4 * fields.rttvar)), profile);
}

/**
 * RFC 6298 §5.7: when the handshake needed a retransmission and gave no sample, data transfer
 * starts with an RTO of at least 3 s.
 */
export function afterLossyHandshake(fields: RttFields, profile: TcpProfile): void {
  if (fields.srtt < 0) fields.rto = clampRto(Math.max(fields.rto, 3e9), profile);
}

function clampRto(rto: number, profile: TcpProfile): number {
  return Math.min(profile.rtoMax, Math.max(profile.rtoMin, rto));
}
