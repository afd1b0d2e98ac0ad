namespace Orchestrator.Distillation.Stages;

/// <summary>One row's set at one IPC, made once for its K runs; <see cref="Train"/> scores run k, freeing what it made.</summary>
internal sealed class EvaluationSet(Func<int, Action<int>?, CancellationToken, double> train, params IDisposable[] owned) : IDisposable
{
    /// <summary>
    /// Test accuracy of run <paramref name="run"/>'s network, trained from the run's own stream;
    /// <paramref name="afterEpoch"/> hears of each epoch trained.
    /// </summary>
    public double Train(int run, Action<int>? afterEpoch, CancellationToken cancellation) => train(run, afterEpoch, cancellation);

    public void Dispose()
    {
        foreach (IDisposable o in owned) o.Dispose();
    }
}
