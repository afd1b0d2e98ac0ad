using Orchestrator.Distillation.Configuration;
using Orchestrator.Distillation.Data;
using Orchestrator.Distillation.Networks;
using Orchestrator.Distillation.Progress;
using Orchestrator.Torch;

namespace Orchestrator.Distillation.Stages;

/// <summary>What every stage of one run shares: its config, data, device, folder and progress output.</summary>
public sealed class RunContext : IDisposable
{
    public RunContext(RunConfig config, DatasetPair data, IProgressReporter progress)
    {
        config.Validate();
        (Config, Data, Progress) = (config, data, progress);
        Device = Device.Parse(config.Device);
        Paths = new RunPaths(config.Output);
        torch.set_num_threads(config.Threads);
    }

    public RunConfig Config { get; }
    public DatasetPair Data { get; }
    public Device Device { get; }
    public RunPaths Paths { get; }
    public IProgressReporter Progress { get; }

    public Dataset Train => Data.Train;
    public Dataset Test => Data.Test;

    private (Tensor inputs, Tensor labels)? test;

    /// <summary>The test split (its first <c>test_limit</c> images when set) as normalized classifier input on the run's device.</summary>
    public Tensor TestInputs => (test ??= PrepareTest()).inputs;

    public Tensor TestLabels => (test ??= PrepareTest()).labels;

    private (Tensor, Tensor) PrepareTest()
    {
        using var scope = torch.NewDisposeScope();
        long count = Config.Dataset.TestLimit > 0 ? Math.Min(Config.Dataset.TestLimit, Test.Count) : Test.Count;
        using Tensor index = torch.arange(count);
        var (images, labels) = Test.Batch(index, Device);
        Tensor inputs = Test.Normalization.Normalize(images);
        return (scope.Detach(inputs), scope.Detach(labels));
    }

    /// <summary>The generator and discriminator shape this run's config and data call for.</summary>
    public GanArchitecture GanArchitecture => new((int)Train.Channels, (int)Train.Height, Train.NumClasses, Width: Config.Gan.Width, NoiseSize: Config.Gan.LatentSize, Conditioning: Config.Gan.Conditioning, LabelScale: Config.Gan.LabelScale);

    public void Dispose()
    {
        if (test is var (inputs, labels)) { inputs.Dispose(); labels.Dispose(); }
        Data.Dispose();
    }
}
