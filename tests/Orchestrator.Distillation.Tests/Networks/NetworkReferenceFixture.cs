using System.Text.Json;
using System.Text.Json.Nodes;
using Orchestrator.Torch;
using Orchestrator.Torch.Serialization;
using Orchestrator.Torch.Tests;

namespace Orchestrator.Distillation.Tests.Networks;

/// <summary>What python reported about one network: its parameters and buffers (names and shapes, in order), its size and its init.</summary>
public sealed record ReferenceDescription(
    IReadOnlyList<(string name, long[] shape)> Parameters,
    IReadOnlyList<(string name, long[] shape)> Buffers,
    long ParameterCount,
    double InitMaxAbsDiff);

/// <summary>
/// Runs python/networks_reference.py once for the whole catalog: every network's C# state dict and input batch go
/// in; python's outputs, input gradients, buffers after the pass, and structure come back.
/// </summary>
public sealed class NetworkReferenceFixture : IDisposable
{
    private readonly Dictionary<string, Tensor> outputs;
    private readonly Dictionary<string, ReferenceDescription> descriptions = new();

    public NetworkReferenceFixture()
    {
        string dir = Directory.CreateTempSubdirectory("networks-ref-").FullName;
        var inputs = new Dictionary<string, Tensor>();
        try
        {
            foreach (ReferenceNetwork network in ReferenceCatalog.Networks)
            {
                // The state tensors share storage with the module and keep it alive after the module is disposed.
                using (var module = network.Build())
                    foreach (var (key, value) in module.state_dict()) inputs[$"{network.Id}/state/{key}"] = value;
                foreach (var (key, value) in network.MakeInputs()) inputs[$"{network.Id}/{key}"] = value;
            }
            string input = Path.Combine(dir, "input.safetensors"), output = Path.Combine(dir, "output.safetensors");
            SafeTensors.Save(input, inputs, new Dictionary<string, string>
            {
                ["networks"] = JsonSerializer.Serialize(ReferenceCatalog.Networks.Select(Describe)),
                ["cases"] = JsonSerializer.Serialize(ReferenceCatalog.Cases.Select(c => new { id = c.Id, network = c.Network.Id, train = c.Train })),
            });
            PythonTorch.Run("networks_reference.py", input, output);
            (outputs, Dictionary<string, string> metadata) = SafeTensors.Load(output);
            foreach (ReferenceNetwork network in ReferenceCatalog.Networks) descriptions[network.Id] = Parse(metadata[network.Id]);
        }
        finally
        {
            foreach (Tensor t in inputs.Values) t.Dispose();
            Directory.Delete(dir, recursive: true);
        }
    }

    public ReferenceDescription Description(string networkId) => descriptions[networkId];

    /// <summary>Python's tensor <paramref name="key"/> of a case ("logits", "feature/block1", "buffer/bn1.running_mean", ...).</summary>
    public Tensor Output(string caseId, string key) =>
        outputs.TryGetValue($"{caseId}/{key}", out Tensor? t) ? t : throw new KeyNotFoundException($"python returned no '{key}' for {caseId}");

    /// <summary>The keys python returned for a case under <paramref name="prefix"/>, without the prefix.</summary>
    public IReadOnlyList<string> OutputKeys(string caseId, string prefix) =>
        outputs.Keys.Where(k => k.StartsWith($"{caseId}/{prefix}", StringComparison.Ordinal)).Select(k => k[$"{caseId}/{prefix}".Length..]).ToList();

    public void Dispose()
    {
        foreach (Tensor t in outputs.Values) t.Dispose();
    }

    private static object Describe(ReferenceNetwork n) => new
    {
        id = n.Id,
        kind = n.Kind.ToString().ToLowerInvariant(),
        name = n.Name,
        channels = n.Channels,
        image_size = n.ImageSize,
        classes = n.Classes,
        seed = n.Seed,
        gan = n.Gan is null ? null : new { width = n.Gan.Width, noise_size = n.Gan.NoiseSize, conditioning = n.Gan.Conditioning.ToString(), critic_slope = n.Gan.CriticSlope },
    };

    private static ReferenceDescription Parse(string json)
    {
        JsonNode root = JsonNode.Parse(json)!;
        static List<(string, long[])> Entries(JsonNode node) =>
            node.AsArray().Select(e => (e![0]!.GetValue<string>(), e[1]!.AsArray().Select(d => d!.GetValue<long>()).ToArray())).ToList();
        return new ReferenceDescription(Entries(root["parameters"]!), Entries(root["buffers"]!),
            root["parameter_count"]!.GetValue<long>(), root["init_max_abs_diff"]!.GetValue<double>());
    }
}
