using static Orchestrator.Torch.torch.nn;

namespace Orchestrator.Torch;

public static partial class torch
{
    public static partial class optim
    {
        /// <summary>
        /// An exponential moving average of a module's weights (Polyak averaging), kept in a second module of the same
        /// architecture, as torch.optim.swa_utils.AveragedModel with an EMA and <c>use_buffers=True</c>. It starts as a
        /// copy of the live module; update t (0-based, after the live module's t-th optimizer step) sets every floating
        /// parameter and buffer to <c>average.lerp_(live, 1 − d_t)</c>, i.e. d_t · average + (1 − d_t) · live, with
        /// d_t = min(decay, (1 + t) / (10 + t)): TensorFlow's ExponentialMovingAverage warm-up, so that the start's
        /// weights fade within a few dozen steps even at a decay of 0.999. Batch-norm running statistics are averaged
        /// alike (they then describe the same window of training as the weights); integer buffers (batch-norm's
        /// <c>num_batches_tracked</c>) are copied.
        /// </summary>
        public sealed class ExponentialMovingAverage
        {
            private readonly (Tensor average, Tensor live)[] floating, counters;

            public ExponentialMovingAverage(Module live, Module average, double decay)
            {
                if (!(decay is > 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(decay), decay, "the decay must be in (0, 1)");
                Decay = decay;
                var averaged = Entries(average);
                var pairs = Entries(live).Select(e => (e.Key, average: averaged.GetValueOrDefault(e.Key), live: e.Value)).ToList();
                var unmatched = pairs.Where(p => p.average is null || !p.average.shape.SequenceEqual(p.live.shape) || p.average.dtype != p.live.dtype)
                    .Select(p => p.Key).Concat(averaged.Keys.Except(pairs.Select(p => p.Key))).ToList();
                if (unmatched.Count > 0)
                    throw new ArgumentException($"the average module {average.name} does not mirror {live.name}: [{string.Join(", ", unmatched)}] differ");
                floating = [.. pairs.Where(p => p.live.is_floating_point()).Select(p => (p.average!, p.live))];
                counters = [.. pairs.Where(p => !p.live.is_floating_point()).Select(p => (p.average!, p.live))];
                using var noGrad = no_grad();
                foreach (var (a, l) in floating.Concat(counters)) a.copy_(l);
            }

            public double Decay { get; }

            private static Dictionary<string, Tensor> Entries(Module module) =>
                module.named_parameters().Select(p => (p.name, tensor: (Tensor)p.parameter)).Concat(module.named_buffers())
                    .ToDictionary(e => e.Item1, e => e.Item2, StringComparer.Ordinal);

            /// <summary>The weight d_t the average keeps at update <paramref name="update"/> (0-based).</summary>
            public double DecayAt(long update) => Math.Min(Decay, (1.0 + update) / (10.0 + update));

            /// <summary>Moves the average towards the live module's current weights; call after the optimizer's step <paramref name="update"/>.</summary>
            public void Update(long update)
            {
                if (update < 0) throw new ArgumentOutOfRangeException(nameof(update), update, "updates count from 0");
                double weight = 1.0 - DecayAt(update);
                using var noGrad = no_grad();
                foreach (var (average, live) in floating) average.lerp_(live, weight);
                foreach (var (average, live) in counters) average.copy_(live);
            }
        }
    }
}
