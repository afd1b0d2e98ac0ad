namespace Orchestrator.Bench;

/// <summary>
/// How the benchmark's rank processes find each other: each writes its server address to a file in a shared
/// directory, then waits until every rank's file is there (like torch.distributed's FileStore on the Gloo side).
/// </summary>
public static class FileRendezvous
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>Every rank's address, in rank order.</summary>
    public static async Task<IReadOnlyList<Uri>> ExchangeAsync(string directory, int rank, int world, Uri address, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        // Written aside then renamed, so a reader never sees half an address.
        string partial = Path.Combine(directory, $"rank-{rank}.partial");
        await File.WriteAllTextAsync(partial, address.ToString(), cancellationToken);
        File.Move(partial, AddressFile(directory, rank), overwrite: true);

        using var patience = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        patience.CancelAfter(Patience);
        try
        {
            while (!Enumerable.Range(0, world).All(r => File.Exists(AddressFile(directory, r))))
                await Task.Delay(PollInterval, patience.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            int[] missing = [.. Enumerable.Range(0, world).Where(r => !File.Exists(AddressFile(directory, r)))];
            throw new TimeoutException($"ranks {string.Join(", ", missing)} did not write their address to {directory} within {Patience.TotalSeconds:F0} s");
        }
        var addresses = new List<Uri>();
        for (int r = 0; r < world; r++) addresses.Add(new Uri(await File.ReadAllTextAsync(AddressFile(directory, r), cancellationToken)));
        return addresses;
    }

    private static string AddressFile(string directory, int rank) => Path.Combine(directory, $"rank-{rank}.address");
}
