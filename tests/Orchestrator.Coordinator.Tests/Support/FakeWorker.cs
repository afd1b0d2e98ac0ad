using Orchestrator.Coordinator.Placement;
using Orchestrator.Coordinator.Runs;
using Orchestrator.Coordinator.Workers;

namespace Orchestrator.Coordinator.Tests.Support;

/// <summary>
/// A worker without a network or a GPU: it registers, heartbeats, and reports every unit it holds as done. An evaluation
/// unit reports the accuracy <see cref="Accuracy"/> gives its assignment and IPC (by default a function of seed and IPC).
/// </summary>
public sealed class FakeWorker(CoordinatorCore core, string id, params string[] architectures)
{
    public string Id { get; } = id;

    public Func<WorkAssignment, int, double> Accuracy { get; set; } = (a, ipc) => (50.0 + ipc + a.Plan.Seed % 7) / 100;

    /// <summary>Where it says peers push gradients; empty: at its address.</summary>
    public string PushAddress { get; set; } = "";

    /// <summary>Every unit reported, in order.</summary>
    public List<WorkUnit> Done { get; } = [];

    public Task<WorkerLease> RegisterAsync(string device = "cpu") =>
        core.RegisterWorkerAsync(new WorkerRegistration(Id, device, architectures, $"{Id}.local:7000", PushAddress), CancellationToken.None);

    public Task<HeartbeatReply> HeartbeatAsync() => core.HeartbeatAsync(Id, CancellationToken.None);

    /// <summary>Heartbeats, then reports every unit it holds; returns how many it reported.</summary>
    public async Task<int> WorkAsync()
    {
        HeartbeatReply reply = await HeartbeatAsync();
        foreach (WorkAssignment a in reply.Assignments)
        {
            WorkUnit u = a.Unit;
            WorkReceipt receipt = u.Kind switch
            {
                WorkKind.Pretrain => await core.CompletePretrainAsync(u.RunKey, Id, $"ckpt/{u.RunKey}/pretrain", CancellationToken.None),
                WorkKind.Shard => (await core.ReportShardsAsync(u.RunKey, Id, u.Step, [u.Shard], null, CancellationToken.None)).Single(),
                _ => await core.CompleteEvaluationAsync(u.RunKey, Id, u.Evaluation!, Accuracy(a, u.Evaluation!.Ipc), CancellationToken.None),
            };
            if (!receipt.Accepted) throw new InvalidOperationException($"{Id}: report of {u} refused: {receipt.Reason}");
            Done.Add(u);
        }
        return reply.Assignments.Count;
    }

    /// <summary>Lets the workers work until none holds anything (bounded, so a stuck schedule fails the test).</summary>
    public static async Task DriveAsync(params FakeWorker[] workers)
    {
        for (int round = 0; round < 1000; round++)
        {
            int done = 0;
            foreach (FakeWorker w in workers) done += await w.WorkAsync();
            if (done == 0) return;
        }
        throw new InvalidOperationException("workers still busy after 1000 rounds");
    }
}
