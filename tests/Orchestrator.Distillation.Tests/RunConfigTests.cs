using Orchestrator.Distillation.Configuration;
using Orchestrator.Distillation.Losses;

namespace Orchestrator.Distillation.Tests;

public class RunConfigTests
{
    [Fact]
    public void Defaults_AreMethodMdValues()
    {
        RunConfig c = RunConfigLoader.Load(null);
        Assert.Equal(1e-4, c.Pretrain.Generator.Lr);
        Assert.Equal(0.9, c.Pretrain.Generator.Beta2);
        Assert.Equal(128, c.Pretrain.Batch);
        Assert.Equal(150, c.Pretrain.Epochs);
        Assert.Equal(5e-6, c.Match.Generator.Lr);
        Assert.Equal(64, c.Match.Batch);
        Assert.Equal(16, c.Match.PoolSteps);
        Assert.Equal(["ConvNet", "ResNet10", "ResNet18", "ResNet10AP", "ResNet18AP"], c.Match.Pool);
        Assert.Equal(0.01, c.Match.Losses.GlobalWeight);
        Assert.Equal(0.001, c.Match.Losses.LocalWeight);
        Assert.Equal(1000, c.Evaluate.Epochs);
        Assert.Equal(5, c.Evaluate.Runs);
    }

    [Fact]
    public void Yaml_BindsNestedSnakeCaseKeysAndEnums()
    {
        RunConfig c = RunConfigLoader.FromText("""
            seed: 7
            gan:
              width: 64
              conditioning: concatenate
            match:
              pool: [ConvNet, ResNet18]
              losses:
                local_weight: 0.002
                global_target: raw-logits
                d2m_prediction_weight: 10
            evaluate:
              protocol: dim-on-the-fly
            """);
        Assert.Equal(7UL, c.Seed);
        Assert.Equal(64, c.Gan.Width);
        Assert.Equal(Orchestrator.Distillation.Networks.LabelConditioning.Concatenate, c.Gan.Conditioning);
        Assert.Equal(["ConvNet", "ResNet18"], c.Match.Pool);
        Assert.Equal(0.002, c.Match.Losses.LocalWeight);
        Assert.Equal(GlobalMatchingTarget.RawLogits, c.Match.Losses.GlobalTarget);
        Assert.Equal(10, c.Match.Losses.D2MPredictionWeight);
        Assert.Equal(EvaluationProtocol.DimOnTheFly, c.Evaluate.Protocol);
    }

    [Fact]
    public void Json_IsAcceptedToo()
    {
        RunConfig c = RunConfigLoader.FromText("""{"seed": 3, "match": {"shards": 4}}""");
        Assert.Equal(4, c.Match.Shards);
    }

    [Theory]
    [InlineData("match:\n  learning_rate: 0.1\n", "match.learning_rate", "unknown key")]
    [InlineData("seeed: 1\n", "seeed", "unknown key")]
    [InlineData("match:\n  losses:\n    globl_weight: 1\n", "match.losses.globl_weight", "unknown key")]
    [InlineData("pretrain:\n  batch: lots\n", "pretrain.batch", "bad value")]
    [InlineData("gan:\n  conditioning: sideways\n", "gan.conditioning", "bad value")]
    [InlineData("pretrain:\n  batch: 0\n", "pretrain.batch", "must be > 0")]
    [InlineData("match:\n  generator:\n    beta2: 1.5\n", "match.generator.beta2", "outside [0, 1)")]
    [InlineData("pretrain:\n  ema: 1\n", "pretrain.ema", "outside [0, 1)")]
    [InlineData("pretrain:\n  ema: -0.1\n", "pretrain.ema", "outside [0, 1)")]
    [InlineData("match:\n  ema: 1.5\n", "match.ema", "outside [0, 1)")]
    [InlineData("match:\n  losses:\n    local_weight: -1\n", "match.losses.local_weight", "≥ 0")]
    [InlineData("dataset:\n  name: imagenet\n", "dataset.name", "imagenet")]
    [InlineData("evaluate:\n  baselines: [random, oracle]\n", "evaluate.baselines", "oracle")]
    [InlineData("match:\n  pool: []\n", "match.pool", "empty")]
    public void BadConfig_IsRefusedNamingTheKey(string yaml, string key, string problem)
    {
        var error = Assert.Throws<ConfigException>(() => RunConfigLoader.FromText(yaml));
        Assert.Equal(key, error.Key);
        Assert.Contains(problem, error.Message);
        Assert.Contains(key, error.Message);
    }

    [Fact]
    public void MalformedYaml_NamesTheSourceAndLine()
    {
        var error = Assert.Throws<ConfigException>(() => RunConfigLoader.FromText("match:\n  pool: [a, b\n", "my.yaml"));
        Assert.Contains("my.yaml", error.Message);
        Assert.Contains("line", error.Message);
    }

    [Fact]
    public void Overrides_ApplyInOrderOverTheFile()
    {
        string path = Path.Combine(Path.GetTempPath(), $"cfg-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, "match:\n  epochs: 3\n  batch: 32\n");
        try
        {
            RunConfig c = RunConfigLoader.Load(path, ["match.epochs=5", "match.pool=[ConvNet]", "evaluate.ipc=[1, 10]", "match.losses.local_weight=0"]);
            Assert.Equal(5, c.Match.Epochs);
            Assert.Equal(32, c.Match.Batch);
            Assert.Equal(["ConvNet"], c.Match.Pool);
            Assert.Equal([1, 10], c.Evaluate.Ipc);
            Assert.Equal(0, c.Match.Losses.LocalWeight);
            Assert.Equal("match.batch", Assert.Throws<ConfigException>(() => RunConfigLoader.Load(path, ["match.batch=-2"])).Key);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void MissingFile_IsNamed()
    {
        var error = Assert.Throws<ConfigException>(() => RunConfigLoader.Load("/nonexistent/run.yaml"));
        Assert.Contains("/nonexistent/run.yaml", error.Message);
    }

    [Fact]
    public void Serialized_RoundTripsToTheSameConfig()
    {
        RunConfig c = RunConfigLoader.Load(null, ["seed=11", "match.losses.standardized_weight=0.5", "gan.conditioning=concatenate"]);
        string text = RunConfigLoader.Serialize(c);
        Assert.Equal(text, RunConfigLoader.Serialize(RunConfigLoader.FromText(text)));
        Assert.Contains("\"standardized_weight\": 0.5", text);
    }

    [Fact]
    public void ShippedConfigs_AllLoad()
    {
        string? dir = AppContext.BaseDirectory;
        while (dir is not null && !Directory.Exists(Path.Combine(dir, "configs"))) dir = Path.GetDirectoryName(dir);
        Assert.NotNull(dir);
        string[] files = Directory.GetFiles(Path.Combine(dir!, "configs"), "*.yaml");
        Assert.Contains(files, f => f.EndsWith("mnist-cpu.yaml", StringComparison.Ordinal));
        foreach (string file in files) Assert.NotNull(RunConfigLoader.Load(file));
    }
}
