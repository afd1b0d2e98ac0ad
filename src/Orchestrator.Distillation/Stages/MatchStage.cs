namespace Orchestrator.Distillation.Stages;

/// <summary>
/// Stage 2 in one process: distils the data into the generator, every shard of every step computed here
/// (<see cref="MatchingState.StepLocally"/>); checkpoints keep the GAN, both optimizers and every shard's pool network,
/// so a killed run resumes to the same weights as an undisturbed one.
/// </summary>
public sealed class MatchStage(RunContext context)
{
    private const string Stage = "match";

    public bool IsComplete => File.Exists(context.Paths.DistilledGenerator);

    public void Run(CancellationToken cancellation = default)
    {
        using MatchingState state = MatchingState.Open(context);
        if (state.Version > 0) context.Progress.Log($"[{Stage}] resuming at step {state.Version} of {state.Plan.TotalSteps}");
        while (!state.IsFinished)
        {
            cancellation.ThrowIfCancellationRequested();
            Dictionary<string, double> terms = state.StepLocally(cancellation);
            context.Progress.Report(Stage, state.Version, state.Plan.TotalSteps, terms);
            if (state.CheckpointDue) state.Save(context.Paths.MatchLatest);
        }
        state.SaveDistilled();
    }
}
