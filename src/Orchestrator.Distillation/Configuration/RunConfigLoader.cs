using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Orchestrator.Distillation.Configuration;

/// <summary>
/// Reads a run config from YAML or JSON (YAML is a superset), applies <c>key.path=value</c> overrides, and binds it
/// strictly: an unknown key or a value of the wrong type is refused with the key's path, then ranges are validated.
/// </summary>
public static class RunConfigLoader
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false) },
        WriteIndented = true,
    };

    /// <summary>The config-file key of property <paramref name="property"/> of <typeparamref name="T"/>.</summary>
    public static string KeyName<T>(string property) =>
        typeof(T).GetProperty(property)?.GetCustomAttributes(typeof(JsonPropertyNameAttribute), false).Cast<JsonPropertyNameAttribute>().FirstOrDefault()?.Name
        ?? JsonNamingPolicy.SnakeCaseLower.ConvertName(property);

    /// <summary>Loads <paramref name="path"/> (null: the defaults) with overrides applied in order.</summary>
    public static RunConfig Load(string? path, IEnumerable<string>? overrides = null)
    {
        JsonObject root = new();
        if (path is not null)
        {
            string text;
            try { text = File.ReadAllText(path); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new ConfigException("(file)", $"cannot read {path}: {e.Message}", e); }
            root = Parse(text, path);
        }
        foreach (string assignment in overrides ?? []) Apply(root, assignment);
        return Bind(root, path ?? "(defaults)");
    }

    /// <summary>Binds a config from text, as from a file named <paramref name="source"/>, with overrides applied in order.</summary>
    public static RunConfig FromText(string text, string source = "(text)", IEnumerable<string>? overrides = null)
    {
        JsonObject root = Parse(text, source);
        foreach (string assignment in overrides ?? []) Apply(root, assignment);
        return Bind(root, source);
    }

    /// <summary>The config as YAML-compatible JSON, every key present, for run records and reports.</summary>
    public static string Serialize(RunConfig config) => JsonSerializer.Serialize(config, Options);

    private static RunConfig Bind(JsonObject root, string source)
    {
        RunConfig config;
        try
        {
            config = root.Deserialize<RunConfig>(Options) ?? new RunConfig();
        }
        catch (JsonException e)
        {
            throw new ConfigException(KeyOf(e), Describe(e), e);
        }
        config.Validate();
        return config;
    }

    // "$.match.losses" plus, for an unknown member, its name from the message.
    private static string KeyOf(JsonException e)
    {
        string path = (e.Path ?? "$").TrimStart('$').TrimStart('.');
        string? unknown = UnknownMember(e);
        if (unknown is not null && !path.EndsWith(unknown, StringComparison.Ordinal)) path = path.Length == 0 ? unknown : $"{path}.{unknown}";
        return path.Length == 0 ? "(root)" : path;
    }

    private static string? UnknownMember(JsonException e)
    {
        const string marker = "The JSON property '";
        int start = e.Message.IndexOf(marker, StringComparison.Ordinal);
        if (start < 0) return null;
        start += marker.Length;
        int end = e.Message.IndexOf('\'', start);
        return end > start ? e.Message[start..end] : null;
    }

    private static string Describe(JsonException e) =>
        UnknownMember(e) is not null ? "unknown key" : $"bad value ({e.Message.Split(" Path:")[0]})";

    private static JsonObject Parse(string text, string source)
    {
        var stream = new YamlStream();
        try { stream.Load(new StringReader(text)); }
        catch (YamlException e) { throw new ConfigException("(file)", $"{source} is not valid YAML/JSON at line {e.Start.Line}: {e.Message}", e); }
        if (stream.Documents.Count == 0) return new JsonObject();
        return ToJson(stream.Documents[0].RootNode, "") as JsonObject ?? throw new ConfigException("(root)", $"{source} must hold a mapping of keys");
    }

    private static JsonNode? ToJson(YamlNode node, string path) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(kv =>
        {
            string key = ((YamlScalarNode)kv.Key).Value ?? "";
            return KeyValuePair.Create(key, ToJson(kv.Value, path.Length == 0 ? key : $"{path}.{key}"));
        })),
        YamlSequenceNode seq => new JsonArray(seq.Children.Select((c, i) => ToJson(c, $"{path}[{i}]")).ToArray()),
        YamlScalarNode scalar => Scalar(scalar.Value ?? "", scalar.Style is ScalarStyle.Plain or ScalarStyle.Any),
        _ => throw new ConfigException(path, "unsupported YAML node"),
    };

    // Plain YAML scalars carry their type (numbers, booleans, null); quoted ones are strings.
    private static JsonNode? Scalar(string value, bool plain)
    {
        if (!plain) return JsonValue.Create(value);
        if (value is "" or "~" or "null") return null;
        if (value is "true" or "false") return JsonValue.Create(value == "true");
        if (long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out long l)) return JsonValue.Create(l);
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double d)) return JsonValue.Create(d);
        return JsonValue.Create(value);
    }

    /// <summary>Applies one <c>a.b.c=value</c> override; the value is read as a YAML scalar or flow collection.</summary>
    private static void Apply(JsonObject root, string assignment)
    {
        int eq = assignment.IndexOf('=');
        if (eq <= 0) throw new ConfigException(assignment, "an override must read key.path=value");
        string[] keys = assignment[..eq].Trim().Split('.');
        JsonObject target = root;
        for (int k = 0; k < keys.Length - 1; k++)
        {
            if (target[keys[k]] is not JsonObject next) target[keys[k]] = next = new JsonObject();
            target = next;
        }
        JsonObject parsed = Parse($"v: {assignment[(eq + 1)..]}", "override");
        target[keys[^1]] = parsed["v"]?.DeepClone();
    }
}
