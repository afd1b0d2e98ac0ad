namespace Orchestrator.Worker.AllReduce;

/// <summary>
/// Dedicated threads for the all-reduce's blocking sends, kept between exchanges: a send runs on an idle one, or on a
/// new one when all are busy, so every send of an exchange runs at once (they wait on each other's progress) and no
/// exchange pays for starting threads, nor blocks the thread pool. A thread idle for a minute ends.
/// </summary>
internal sealed class SendThreads
{
    private static readonly TimeSpan IdleLife = TimeSpan.FromMinutes(1);

    private readonly object _gate = new();
    private readonly Queue<Action> _work = new();
    private int _idle;

    /// <summary>Runs <paramref name="send"/>, which completes the task it is given (and may go on after that); a throw before that fails it.</summary>
    public Task<long> Run(Action<TaskCompletionSource<long>> send)
    {
        var done = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _work.Enqueue(() =>
            {
                try
                {
                    send(done);
                }
                catch (Exception e)
                {
                    done.TrySetException(e);
                }
            });
            // Each queued send needs a thread of its own now: idle ones take what they can, new ones the rest.
            if (_work.Count > _idle) new Thread(Loop) { IsBackground = true, Name = "all-reduce send" }.Start();
            else Monitor.Pulse(_gate);
        }
        return done.Task;
    }

    private void Loop()
    {
        while (true)
        {
            Action send;
            lock (_gate)
            {
                _idle++;
                while (_work.Count == 0)
                    if (!Monitor.Wait(_gate, IdleLife) && _work.Count == 0)
                    {
                        _idle--;
                        return;
                    }
                _idle--;
                send = _work.Dequeue();
            }
            send();
        }
    }
}
