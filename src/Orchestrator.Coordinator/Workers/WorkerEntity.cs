using Orchestrator.Coordinator.Entities;
using Orchestrator.Coordinator.Events;

namespace Orchestrator.Coordinator.Workers;

/// <summary>One worker's registration and lease.</summary>
internal sealed class WorkerEntity(string key, CoordinatorContext context) : Entity<WorkerSnapshot>(key)
{
    public const string Kind = "worker";

    public override string Status => State?.Status.ToString() ?? "New";

    public override object? Handle(object message)
    {
        object? reply = message switch
        {
            RegisterWorker m => Register(m.Registration),
            RenewLease => Renew(),
            ExpireLease m => Expire(m.Now),
            LeaveCluster m => Leave(m.Now),
            ResumeWorker => Resume(),
            GetWorker => State,
            _ => throw Unexpected(message),
        };
        if (State is { } saved) AfterSave(() => context.Cluster.Update(saved));
        return reply;
    }

    private WorkerRegistered Register(WorkerRegistration registration)
    {
        registration.Validate();
        if (registration.WorkerId != Key) throw new ArgumentException($"registration of '{registration.WorkerId}' sent to worker '{Key}'");
        DateTimeOffset now = context.Time.GetUtcNow();
        bool heldWork = State?.Status == WorkerStatus.Live;
        int restarts = State is null ? 0 : State.Restarts + 1;
        State = new WorkerSnapshot(Key, registration.Device, [.. registration.Architectures], registration.Address, WorkerStatus.Live,
            now + context.Options.LeaseDuration, restarts, State?.Deaths ?? 0, now, now, registration.PushAddress);
        AfterSave(() => context.Events.Publish(new WorkerJoined(now, Key, registration.Device, restarts)));
        return new WorkerRegistered(State, heldWork);
    }

    private DateTimeOffset? Renew()
    {
        if (State?.Status != WorkerStatus.Live) return null;
        DateTimeOffset now = context.Time.GetUtcNow();
        State = State with { LeaseExpiresAt = now + context.Options.LeaseDuration, LastHeartbeatAt = now };
        return State.LeaseExpiresAt;
    }

    private bool Expire(DateTimeOffset now)
    {
        // A heartbeat may have renewed the lease after the monitor saw it lapse: the saved lease decides.
        if (State?.Status != WorkerStatus.Live || State.LeaseExpiresAt > now) return false;
        DateTimeOffset expiredAt = State.LeaseExpiresAt;
        State = State with { Status = WorkerStatus.Dead, Deaths = State.Deaths + 1 };
        AfterSave(() => context.Events.Publish(new WorkerDied(now, Key, expiredAt)));
        return true;
    }

    private bool Leave(DateTimeOffset now)
    {
        if (State?.Status != WorkerStatus.Live) return false;
        State = State with { Status = WorkerStatus.Dead };
        AfterSave(() => context.Events.Publish(new WorkerLeft(now, Key)));
        return true;
    }

    private WorkerSnapshot? Resume()
    {
        if (State?.Status == WorkerStatus.Live)
        {
            DateTimeOffset grace = context.Time.GetUtcNow() + context.Options.LeaseDuration;
            if (State.LeaseExpiresAt < grace) State = State with { LeaseExpiresAt = grace };
        }
        return State;
    }
}
