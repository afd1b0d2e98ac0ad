using System.Diagnostics;

namespace Orchestrator.Cli.Tests.Deployment;

/// <summary>
/// The chart under helm/orchestrator rendered as <c>helm template</c> would, by HelmTemplate/main.go (Go's
/// text/template with sprig, the engine and functions helm uses, after checking the values against the chart's
/// values.schema.json with gojsonschema, as helm does; helm itself is not packaged here). The renderer is
/// built once per test run from Debian's Go packages, which <c>scripts/setup.sh --for-tests</c> installs.
/// </summary>
public static class HelmChart
{
    public static string Folder { get; } = Path.Combine(RepositoryPaths.Root, "helm", "orchestrator");

    private static readonly Lazy<string> Renderer = new(Build);

    /// <summary>The rendered objects for these <c>--set key.path=value</c> overrides; throws with the renderer's message if it fails.</summary>
    public static IReadOnlyList<Manifest> Render(params string[] sets) => RenderFrom(Folder, sets);

    /// <summary>As <see cref="Render"/>, for the chart in another folder (an edited copy).</summary>
    public static IReadOnlyList<Manifest> RenderFrom(string chart, params string[] sets)
    {
        var (exitCode, output, error) = TryRender(chart, sets);
        if (exitCode != 0) throw new InvalidOperationException($"the chart did not render with [{string.Join(", ", sets)}]: {error}");
        var manifests = new List<Manifest>();
        foreach (string document in output.Split("---\n# Source: ", StringSplitOptions.RemoveEmptyEntries))
        {
            int newline = document.IndexOf('\n');
            manifests.AddRange(Manifest.Parse(new StringReader(document[(newline + 1)..]), document[..newline]));
        }
        return manifests;
    }

    /// <summary>
    /// Renders without judging the outcome: the exit code, the manifests' text and the error text. Without
    /// <paramref name="validateSchema"/>, as <c>helm template --skip-schema-validation</c>.
    /// </summary>
    public static (int ExitCode, string Output, string Error) TryRender(string chart, IEnumerable<string> sets, bool validateSchema = true) =>
        Run(Renderer.Value, [chart, .. sets.SelectMany(s => new[] { "--set", s }), .. validateSchema ? Array.Empty<string>() : ["--skip-schema-validation"]]);

    private static string Build()
    {
        string folder = Path.Combine(AppContext.BaseDirectory, "helm-template");
        string script = Path.Combine(RepositoryPaths.Root, "tests", "Orchestrator.Cli.Tests", "Deployment", "HelmTemplate", "build.sh");
        if (!File.Exists("/usr/bin/go"))
            throw new InvalidOperationException("/usr/bin/go is missing: install Debian's golang-go and sprig (scripts/setup.sh --for-tests does)");
        var (exitCode, output, error) = Run("/bin/bash", [script, folder]);
        if (exitCode != 0) throw new InvalidOperationException($"building the chart renderer failed: {output}{error}");
        return Path.Combine(folder, "helm-template");
    }

    private static (int ExitCode, string Output, string Error) Run(string program, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', start.ArgumentList)} did not finish within 3 minutes");
        }
        return (process.ExitCode, output.Result, error.Result);
    }
}
