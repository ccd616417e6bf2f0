import { humanBytes, humanDuration } from '../lib/format';
import { useLogical } from '../stores/logical-store';

/** On a physical standby: its WAL receiver and replay lag, for the overview. */
export function WalReceiverFacts() {
  const wr = useLogical((s) => s.self?.walReceiver ?? null);
  if (!wr) return null;
  return (
    <section aria-label="WAL receiver" data-testid="wal-receiver">
      <h2>WAL receiver</h2>
      <div className="facts">
        <Fact label="Status" value={wr.status} />
        <Fact label="Sender" value={`${wr.senderHost ?? '?'}:${wr.senderPort ?? '?'}`} />
        <Fact label="Slot" value={wr.slotName ?? 'none'} />
        <Fact label="Received / flushed" value={`${wr.receivedLsn ?? '—'} / ${wr.flushedLsn ?? '—'}`} />
        <Fact label="Replayed" value={wr.replayLsn ?? '—'} />
        <Fact
          label="Replay lag"
          value={`${humanBytes(wr.replayLagBytes)} · last replayed commit ${humanDuration(wr.replayLagMs)} ago`}
        />
        <Fact
          label="Latest end time"
          value={wr.latestEndTime ? new Date(wr.latestEndTime).toLocaleTimeString() : '—'}
        />
      </div>
    </section>
  );
}

function Fact({ label, value }: { label: string; value: string }) {
  return (
    <div className="fact">
      <div className="fact-label">{label}</div>
      <div className="fact-value">{value}</div>
    </div>
  );
}
