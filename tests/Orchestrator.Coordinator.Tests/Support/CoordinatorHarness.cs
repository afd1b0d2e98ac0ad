using Orchestrator.Coordinator.Placement;
using Orchestrator.Coordinator.Storage;

namespace Orchestrator.Coordinator.Tests.Support;

/// <summary>A started coordinator core over a SQLite file in a temp folder, a manual clock and recorded events.</summary>
public sealed class CoordinatorHarness : IAsyncDisposable
{
    private readonly TempDirectory _dir = new();
    private IEntityStore _store = null!;

    private CoordinatorHarness(CoordinatorOptions options, FakePlanner planner)
    {
        Options = options;
        Planner = planner;
        options.StoreConnection = _dir.File("coordinator.db");
        options.ResultsDirectory = _dir.File("sweeps");
    }

    public CoordinatorOptions Options { get; }
    public FakePlanner Planner { get; }
    public ManualTimeProvider Time { get; } = new();
    public RecordingEvents Events { get; } = new();
    public CoordinatorCore Core { get; private set; } = null!;
    public string Folder => _dir.Path;
    public IEntityStore Store => _store;

    public static async Task<CoordinatorHarness> StartAsync(FakePlanner? planner = null, Action<CoordinatorOptions>? configure = null)
    {
        var options = new CoordinatorOptions { LeaseDuration = TimeSpan.FromSeconds(15), HeartbeatInterval = TimeSpan.FromSeconds(5), SweepConcurrency = 8 };
        configure?.Invoke(options);
        var harness = new CoordinatorHarness(options, planner ?? new FakePlanner());
        await harness.OpenAsync();
        return harness;
    }

    public FakeWorker Worker(string id, params string[] architectures) => new(Core, id, architectures);

    /// <summary>Stops this core and starts a new one over the same store file, as after a coordinator restart.</summary>
    public async Task RestartAsync()
    {
        await CloseAsync();
        await OpenAsync();
    }

    private async Task OpenAsync()
    {
        _store = EntityStores.Create(Options);
        Core = new CoordinatorCore(Options, _store, Planner, new LeastLoadedPlacement(), Events, Time);
        await Core.StartAsync(CancellationToken.None);
    }

    private async Task CloseAsync()
    {
        await Core.DisposeAsync();
        await _store.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await CloseAsync();
        _dir.Dispose();
    }
}
