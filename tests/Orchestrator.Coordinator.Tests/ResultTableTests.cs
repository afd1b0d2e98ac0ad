using System.Globalization;
using System.Text.Json;
using Orchestrator.Coordinator.Runs;
using Orchestrator.Coordinator.Sweeps;
using Orchestrator.Coordinator.Tests.Support;

namespace Orchestrator.Coordinator.Tests;

public sealed class ResultTableTests
{
    private static readonly SweepSpec Spec = new("t", "cfg", [1, 2, 3], [10, 1], ["w=[0, 0.001]"], []);

    /// <summary>A member whose run reported these accuracies in percent (as fractions, as runs do).</summary>
    private static SweepMember Member(string setting, ulong seed, int order, RunStatus status, double ipc1, double ipc10) =>
        new($"run-{order}", setting, seed, order, status, status == RunStatus.Completed ? new Dictionary<int, double> { [1] = ipc1 / 100, [10] = ipc10 / 100 } : new Dictionary<int, double>());

    private static SweepSnapshot Sweep() => new("t", Spec, SweepStatus.Completed,
    [
        Member("w=0", 1, 0, RunStatus.Completed, 90.5, 97.25),
        Member("w=0", 2, 1, RunStatus.Completed, 91.0, 97.0),
        Member("w=0", 3, 2, RunStatus.Completed, 92.25, 98.5),
        Member("w=0.001", 1, 3, RunStatus.Completed, 93.0, 98.0),
        Member("w=0.001", 2, 4, RunStatus.Failed, 0, 0),
        Member("w=0.001", 3, 5, RunStatus.Completed, 94.0, 99.0),
    ], DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);

    private static double PopulationStd(double[] v) => Math.Sqrt(v.Select(x => x * x).Average() - v.Average() * v.Average());

    private static string Cell(ResultRow row) =>
        string.Create(CultureInfo.InvariantCulture, $"{row.Mean:F2} ± {row.Std:F2}").Replace(".", "\\.");

    [Fact]
    public void Rows_are_mean_and_population_std_in_percent_across_completed_seeds()
    {
        ResultTable table = ResultTable.Aggregate(Sweep());

        Assert.Equal([("w=0", 1), ("w=0", 10), ("w=0.001", 1), ("w=0.001", 10)], table.Rows.Select(r => (r.Setting, r.Ipc)));
        ResultRow first = table.Rows[0];
        double[] values = [90.5, 91.0, 92.25];
        Assert.Equal(3, first.Runs);
        Assert.Equal(values.Average(), first.Mean, 12);
        Assert.Equal(PopulationStd(values), first.Std, 9);
        ResultRow partial = table.Rows[3];
        Assert.Equal(2, partial.Runs);
        Assert.Equal(98.5, partial.Mean, 12);
        Assert.Equal(0.5, partial.Std, 9);
        Assert.Equal([1UL, 3], partial.Seeds);
        Assert.Equal(new Dictionary<string, int> { ["w=0"] = 3, ["w=0.001"] = 3 }, table.Expected);
    }

    [Fact]
    public void CSV_JSON_and_text_carry_the_same_numbers()
    {
        ResultTable table = ResultTable.Aggregate(Sweep() with { Members = [.. Sweep().Members.Select(m => m with { Setting = m.Setting.Replace("w=", "w=\"a,b\" ") })] });

        string[] csv = ResultTableFormats.ToCsv(table).TrimEnd('\n').Split('\n');
        Assert.Equal("setting,ipc,runs,mean,std,seeds", csv[0]);
        Assert.StartsWith("\"w=\"\"a,b\"\" 0\",1,3,", csv[1]);
        Assert.Equal(table.Rows[0].Mean, double.Parse(csv[1].Split(',')[^3], CultureInfo.InvariantCulture));
        Assert.EndsWith(",1;2;3", csv[1]);

        using JsonDocument json = JsonDocument.Parse(ResultTableFormats.ToJson(table));
        Assert.Equal("t", json.RootElement.GetProperty("sweep").GetString());
        JsonElement row = json.RootElement.GetProperty("rows")[3];
        Assert.Equal((10, 2, table.Rows[3].Mean, table.Rows[3].Std), (row.GetProperty("ipc").GetInt32(), row.GetProperty("runs").GetInt32(), row.GetProperty("mean").GetDouble(), row.GetProperty("std").GetDouble()));

        string[] text = ResultTableFormats.ToText(table).TrimEnd('\n').Split('\n');
        Assert.Equal("sweep t", text[0]);
        Assert.Matches(@"^setting\s+\|\s+IPC 1 \|\s+IPC 10 \| runs$", text[1]);
        Assert.Matches(@"^-+-\+-", text[2]);
        Assert.Matches($@"^w=""a,b"" 0\s+\| {Cell(table.Rows[0])} \| {Cell(table.Rows[1])} \|  3/3$", text[3]);
        Assert.EndsWith("| 93.50 ± 0.50 | 98.50 ± 0.50 |  2/3", text[4]);
    }

    [Fact]
    public void A_setting_with_no_completed_run_shows_dashes_and_no_rows()
    {
        SweepSnapshot sweep = Sweep() with { Members = [.. Sweep().Members.Select(m => m.Setting == "w=0" ? m : m with { Status = RunStatus.Matching, Accuracy = new Dictionary<int, double>() })] };
        ResultTable table = ResultTable.Aggregate(sweep);
        Assert.DoesNotContain(table.Rows, r => r.Setting == "w=0.001");
        Assert.Matches(@"\nw=0\.001 +\| +- \| +- \|  0/3\n", ResultTableFormats.ToText(table));
    }

    [Fact]
    public void Files_are_written_whole_with_no_temp_file_left()
    {
        using var dir = new TempDirectory();
        ResultTable table = ResultTable.Aggregate(Sweep());
        string folder = Path.Combine(dir.Path, "t");
        File.WriteAllText(Path.Combine(dir.Path, "stale.txt"), "x");
        ResultFiles.Write(table, folder);
        IReadOnlyList<string> files = ResultFiles.Write(table, folder);

        Assert.Equal(["results.csv", "results.json", "results.txt"], files.Select(Path.GetFileName));
        Assert.Equal(ResultTableFormats.ToCsv(table), File.ReadAllText(files[0]));
        Assert.Equal(ResultTableFormats.ToJson(table), File.ReadAllText(files[1]));
        Assert.Equal(ResultTableFormats.ToText(table), File.ReadAllText(files[2]));
        Assert.Equal(3, Directory.GetFiles(folder).Length);
    }
}
