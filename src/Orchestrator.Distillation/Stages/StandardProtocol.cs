using Orchestrator.Distillation.Augmentation;
using Orchestrator.Distillation.Configuration;
using Orchestrator.Distillation.Evaluation;
using Orchestrator.Distillation.Networks;
using Orchestrator.Distillation.Streams;
using Orchestrator.Torch;
using static Orchestrator.Torch.torch;

namespace Orchestrator.Distillation.Stages;

/// <summary>
/// METHOD.md's evaluation: K fresh networks trained from scratch on a fixed set, tested once at the end on the real
/// test split (standard protocol); or DiM's protocol, fresh generator samples every step, best of 5 test points.
/// The two never share a table: the report names the protocol.
/// </summary>
public static class StandardProtocol
{
    public static ClassifierTrainingSettings Settings(RunContext context, string model)
    {
        EvaluateConfig e = context.Config.Evaluate;
        return new ClassifierTrainingSettings(model, e.Epochs, e.Batch, e.Lr, e.Momentum, e.WeightDecay, ClassifierAugmentation.For(context.Train.Name, e.Augmentation));
    }

    /// <summary>One network trained on a fixed set of [0, 1] images; its test accuracy. <paramref name="afterEpoch"/> hears of each epoch.</summary>
    public static double TrainAndTest(RunContext context, ClassifierTrainingSettings settings, Tensor images, Tensor labels, ulong seed,
        Action<int>? afterEpoch = null, CancellationToken cancellation = default)
    {
        using var scope = NewDisposeScope();
        using var stream = new Generator(seed);
        Tensor inputs = context.Train.Normalization.Normalize(images);
        using ClassifierNetwork net = ClassifierTraining.Train(settings, (int)images.size(1), (int)images.size(2), context.Train.NumClasses,
            ClassifierTraining.FixedSet(inputs, labels, settings.Batch), stream, afterEpoch is null ? null : (epoch, _) => afterEpoch(epoch), cancellation);
        return ClassifierTraining.Accuracy(net, context.TestInputs, context.TestLabels);
    }

    /// <summary>The seed of run <paramref name="run"/>'s stream (init, order, augmentation) on the set <paramref name="setKey"/>.</summary>
    public static ulong RunSeed(RunContext context, long setKey, int run) => StreamSeeds.Derive(context.Config.Seed, StreamPurpose.Evaluation, setKey, run);

    /// <summary>
    /// DiM's protocol for a generator, run <paramref name="run"/>: every step trains on fresh class-balanced samples (as
    /// many per epoch as an IPC-sized set) from the run's stream, and the score is the best of 5 evenly spaced test points.
    /// </summary>
    public static double TrainOnTheFly(RunContext context, ClassifierTrainingSettings settings, GanGenerator generator, int ipc, long setKey, int run,
        Action<int>? afterEpoch = null, CancellationToken cancellation = default)
    {
        int classes = context.Train.NumClasses, perEpoch = ipc * classes;
        var testPoints = Enumerable.Range(1, 5).Select(i => settings.Epochs * i / 5 - 1).ToHashSet();
        using var stream = new Generator(RunSeed(context, setKey, run));
        double best = 0;
        IEnumerable<(Tensor, Tensor)> Fresh(int epoch, Generator s)
        {
            for (int done = 0; done < perEpoch; done += settings.Batch)
            {
                int n = Math.Min(settings.Batch, perEpoch - done);
                var (images, labels) = SyntheticSets.Sample(context, generator, n, s);
                using (images) using (labels)
                    yield return (context.Train.Normalization.Normalize(images), labels.alias());
            }
        }
        using ClassifierNetwork net = ClassifierTraining.Train(settings, (int)context.Train.Channels, (int)context.Train.Height, classes, Fresh, stream,
            (epoch, n) =>
            {
                if (testPoints.Contains(epoch)) best = Math.Max(best, ClassifierTraining.Accuracy(n, context.TestInputs, context.TestLabels));
                afterEpoch?.Invoke(epoch);
            },
            cancellation);
        return best;
    }
}
