using Orchestrator.Torch.Modules;
using static Orchestrator.Torch.torch;
using static Orchestrator.Torch.torch.nn;

namespace Orchestrator.Torch.Tests;

/// <summary>The moving average of a module's weights: the documented formula by hand, and torch's AveragedModel bit for bit.</summary>
public class ExponentialMovingAverageTests
{
    private static Dictionary<string, Tensor> BatchNormState(float[] weight, float[] mean, long batches) => new()
    {
        ["weight"] = tensor(weight, 2),
        ["bias"] = zeros([2]),
        ["running_mean"] = tensor(mean, 2),
        ["running_var"] = ones([2]),
        ["num_batches_tracked"] = full([], batches, int64),
    };

    [Fact]
    public void Update_IsTheDocumentedLerp_WithTheWarmUpDecay()
    {
        using var scope = NewDisposeScope();
        using Modules.BatchNorm live = nn.BatchNorm1d(2), averaged = nn.BatchNorm1d(2);
        live.load_state_dict(BatchNormState([1, 2], [0, 0], 3));
        var ema = new optim.ExponentialMovingAverage(live, averaged, decay: 0.5);
        TensorComparison.Identical(tensor([1f, 2f], 2), averaged.state_dict()["weight"], "the average starts as a copy");

        // Update 0: d = min(0.5, 1/10) = 0.1, so the average is 0.1 · start + 0.9 · live.
        live.load_state_dict(BatchNormState([11, 12], [10, 20], 7));
        ema.Update(0);
        var state = averaged.state_dict();
        TensorComparison.Close(tensor([10f, 11f], 2), state["weight"], 1e-6, 0, "weight after update 0");
        TensorComparison.Close(tensor([9f, 18f], 2), state["running_mean"], 1e-6, 0, "running mean after update 0");
        Assert.Equal(7, state["num_batches_tracked"].item<long>());

        // Update 100: d = min(0.5, 101/110) = 0.5.
        live.load_state_dict(BatchNormState([20, 21], [10, 20], 9));
        ema.Update(100);
        state = averaged.state_dict();
        TensorComparison.Close(tensor([15f, 16f], 2), state["weight"], 1e-6, 0, "weight after update 100");
        TensorComparison.Close(tensor([9.5f, 19f], 2), state["running_mean"], 1e-6, 0, "running mean after update 100");
        TensorComparison.Identical(zeros([2]), state["bias"], "bias stays 0");
        Assert.Equal(9, state["num_batches_tracked"].item<long>());

        Assert.Equal(0.1, ema.DecayAt(0));
        Assert.Equal(0.5, ema.DecayAt(100));
    }

    [Fact]
    public void Trajectory_MatchesTorchAveragedModelBitwise()
    {
        using var scope = NewDisposeScope();
        const int steps = 12;
        const double decay = 0.3; // binds from update 4 on, so both sides of the min are exercised
        using var g = new Generator(5);
        using Sequential live = nn.Sequential(nn.Linear(3, 4, generator: g), nn.BatchNorm1d(4));
        using Sequential averaged = nn.Sequential(nn.Linear(3, 4, generator: g), nn.BatchNorm1d(4));
        var shapes = live.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.shape);
        // The live state at the start and after each step: random weights and statistics, a growing batch counter.
        var trajectory = shapes.ToDictionary(kv => $"live.{kv.Key}", kv => kv.Key.EndsWith("num_batches_tracked", StringComparison.Ordinal)
            ? arange(steps + 1) * 2
            : kv.Key.EndsWith("running_var", StringComparison.Ordinal) ? rand([steps + 1, .. kv.Value], generator: g) + 0.5
            : randn([steps + 1, .. kv.Value], generator: g));
        var expected = PythonTorch.Compute("ema_reference.py", trajectory, decay.ToString("R", System.Globalization.CultureInfo.InvariantCulture));

        void Load(int index) => live.load_state_dict(shapes.Keys.ToDictionary(name => name, name => trajectory[$"live.{name}"][index]));
        Load(0);
        var ema = new optim.ExponentialMovingAverage(live, averaged, decay);
        var actual = shapes.Keys.ToDictionary(name => name, _ => new List<Tensor>());
        for (int t = 0; t < steps; t++)
        {
            Load(t + 1);
            ema.Update(t);
            foreach (var (name, value) in averaged.state_dict()) actual[name].Add(value.clone());
        }
        foreach (var (name, values) in actual) TensorComparison.Identical(expected[$"average.{name}"], stack(values), name);
        Assert.False(expected["average.0.weight"][steps - 1].equal(trajectory["live.0.weight"][steps]), "the average must lag the live weights");
    }

    [Fact]
    public void Construction_RefusesAMismatchedModuleOrDecay()
    {
        using Linear live = nn.Linear(3, 4), other = nn.Linear(3, 5), same = nn.Linear(3, 4);
        var e = Assert.Throws<ArgumentException>(() => { _ = new optim.ExponentialMovingAverage(live, other, 0.9); });
        Assert.Contains("weight", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = new optim.ExponentialMovingAverage(live, same, 1.0); });
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = new optim.ExponentialMovingAverage(live, same, 0.0); });
    }
}
