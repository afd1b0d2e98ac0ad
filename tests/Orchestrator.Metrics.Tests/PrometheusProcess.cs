using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Orchestrator.Metrics.Tests;

/// <summary>
/// A real Prometheus server on loopback that scrapes its targets every second, with its storage in a temp folder.
/// Every wait is bounded; disposing kills the process and deletes the folder.
/// </summary>
internal sealed class PrometheusProcess : IAsyncDisposable
{
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(30);

    private readonly Process process;
    private readonly DirectoryInfo directory;
    private readonly StringBuilder log = new();
    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private readonly Uri api;

    private PrometheusProcess(Process process, DirectoryInfo directory, int port)
    {
        this.process = process;
        this.directory = directory;
        api = new Uri($"http://127.0.0.1:{port}/api/v1/");
    }

    public static Task<PrometheusProcess> StartAsync(Uri target) => StartAsync([target]);

    /// <summary>Starts scraping every target (all on one metrics path) and returns once each is up.</summary>
    public static async Task<PrometheusProcess> StartAsync(IReadOnlyList<Uri> targets)
    {
        string binary = ExternalTool.Require(ExternalTool.Prometheus);
        var directory = Directory.CreateTempSubdirectory("prometheus-test-");
        string config = Path.Combine(directory.FullName, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
            scrape_configs:
              - job_name: orchestrator
                metrics_path: {targets[0].AbsolutePath}
                static_configs:
                  - targets: [{string.Join(", ", targets.Select(t => $"'{t.Host}:{t.Port}'"))}]
            """);
        int port = FreeLoopbackPort();
        var start = new ProcessStartInfo(binary)
        {
            ArgumentList =
            {
                $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(directory.FullName, "data")}",
                $"--web.listen-address=127.0.0.1:{port}",
            },
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        var prometheus = new PrometheusProcess(Process.Start(start)!, directory, port);
        prometheus.process.OutputDataReceived += prometheus.OnLogLine;
        prometheus.process.ErrorDataReceived += prometheus.OnLogLine;
        prometheus.process.BeginOutputReadLine();
        prometheus.process.BeginErrorReadLine();
        try
        {
            await prometheus.WaitForAsync("every scrape target to be up", async () =>
            {
                using var active = await prometheus.GetJsonAsync("targets");
                return active.RootElement.GetProperty("data").GetProperty("activeTargets").EnumerateArray()
                    .Count(t => t.GetProperty("health").GetString() == "up") == targets.Count;
            });
        }
        catch
        {
            await prometheus.DisposeAsync();
            throw;
        }
        return prometheus;
    }

    /// <summary>The instant vector of a PromQL query, once it has at least one element: (labels, value as Prometheus spells it).</summary>
    public Task<List<(Dictionary<string, string> Labels, string Value)>> QueryAsync(string promql) => QueryAsync(promql, _ => true);

    /// <summary>The instant vector of a PromQL query, once it is non-empty and <paramref name="accept"/> holds (a later scrape may be needed).</summary>
    public async Task<List<(Dictionary<string, string> Labels, string Value)>> QueryAsync(string promql, Func<List<(Dictionary<string, string> Labels, string Value)>, bool> accept)
    {
        List<(Dictionary<string, string>, string)> result = [];
        await WaitForAsync($"an accepted result for '{promql}'", async () =>
        {
            using var answer = await GetJsonAsync("query?query=" + Uri.EscapeDataString(promql));
            result = answer.RootElement.GetProperty("data").GetProperty("result").EnumerateArray()
                .Select(r => (r.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!),
                              r.GetProperty("value")[1].GetString()!))
                .ToList();
            return result.Count > 0 && accept(result);
        });
        return result;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            using var timeout = new CancellationTokenSource(WaitLimit);
            await process.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            process.Dispose();
            http.Dispose();
            directory.Delete(recursive: true);
        }
    }

    private async Task WaitForAsync(string what, Func<Task<bool>> probe)
    {
        var clock = Stopwatch.StartNew();
        string lastProblem = "no answer yet";
        while (clock.Elapsed < WaitLimit)
        {
            if (process.HasExited) throw new InvalidOperationException($"prometheus exited with {process.ExitCode} while waiting for {what}:\n{Log()}");
            try
            {
                if (await probe()) return;
                lastProblem = "not yet";
            }
            catch (HttpRequestException e)
            {
                lastProblem = e.Message; // still starting
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"waited {WaitLimit.TotalSeconds} s for {what} ({lastProblem}); prometheus log:\n{Log()}");
    }

    private async Task<JsonDocument> GetJsonAsync(string relative)
    {
        using var response = await http.GetAsync(new Uri(api, relative));
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }

    private void OnLogLine(object sender, DataReceivedEventArgs e)
    {
        if (e.Data is null) return;
        lock (log) log.AppendLine(e.Data);
    }

    private string Log()
    {
        lock (log) return log.ToString();
    }

    private static int FreeLoopbackPort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
