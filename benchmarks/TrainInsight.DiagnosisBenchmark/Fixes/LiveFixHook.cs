using System.Globalization;
using TrainInsight.DiagnosisBenchmark.Generation;
using TrainInsight.Diagnostics;
using TrainInsight.Torch;

namespace TrainInsight.DiagnosisBenchmark.Fixes;

/// <summary>
/// Runs a real <see cref="DiagnosisEngine"/> on the run's bus and, when the first finding at Warning or above arrives (read
/// from a bus subscription), submits a fix through the control channel before the next step boundary: the finding's live
/// fix at <see cref="FixChoice.FixIndex"/> (each <see cref="FixCommand.ToCommand"/>), or for the baseline one random
/// applicable live action (lr × 0.1, lr × 10, stop, save a checkpoint then stop, weight decay 5e-4).
/// </summary>
internal sealed class LiveFixHook(FixChoice choice, DiagnosticsOptions? options = null) : IRunHooks
{
    private DiagnosisEngine? _engine;
    private ITelemetrySubscription? _subscription;
    private Task? _pump;
    private ITrainingControl? _control;
    private string _runId = string.Empty;
    private volatile FindingEvent? _trigger;
    private double _learningRate = double.NaN;
    private bool _acted;

    public AppliedFix Result { get; private set; } = new() { NotApplied = "no finding at Warning or above arrived" };

    public void Started(ITelemetryBus bus, ITrainingControl control, RunDescriptor run)
    {
        _control = control;
        _runId = run.Id;
        _subscription = bus.Subscribe(new SubscriptionOptions { RunId = run.Id, Capacity = 1_000_000 });
        _pump = Task.Run(PumpAsync);
        _engine = new DiagnosisEngine(bus, options);
        _engine.Start();
    }

    public void BeforeBoundary(TrainingSession session)
    {
        if (_acted || _trigger is not { } finding || _control is null)
        {
            return;
        }

        _acted = true;
        var commands = new List<(ControlAction Action, double? Value)>();
        var liveCount = finding.Fixes.Count(f => f.Kind == FixKind.LiveAction);
        string? id, title;
        if (choice.FixIndex is { } index)
        {
            var live = finding.Fixes.Where(f => f.Kind == FixKind.LiveAction).ToList();
            if (index >= live.Count)
            {
                Result = new AppliedFix
                {
                    TriggerLabel = finding.Label,
                    TriggerStep = finding.Step,
                    LiveFixCount = live.Count,
                    NotApplied = $"the first finding ({finding.Label}) has {live.Count} live fix(es), none at rank {index + 1}",
                };
                return;
            }

            var fix = live[index];
            id = fix.Id;
            title = fix.Title;
            foreach (var command in fix.Commands)
            {
                var c = command.ToCommand(_runId);
                commands.Add((c.Action, c.Value));
            }
        }
        else
        {
            var current = Volatile.Read(ref _learningRate);
            var lr = double.IsNaN(current) ? 0 : current;
            var options = new List<(string Id, string Title, (ControlAction, double?)[] Commands)>
            {
                ("lr_x0.1", $"Set the learning rate to {lr * 0.1:G3}", [(ControlAction.SetLearningRate, lr * 0.1)]),
            };
            if (lr * 10 <= TrainingSession.MaxLearningRate)
            {
                options.Add(("lr_x10", $"Set the learning rate to {lr * 10:G3}", [(ControlAction.SetLearningRate, lr * 10)]));
            }

            options.Add(("stop", "Stop the run", [(ControlAction.Stop, null)]));
            options.Add(("checkpoint_stop", "Save a checkpoint, then stop", [(ControlAction.SaveCheckpoint, null), (ControlAction.Stop, null)]));
            options.Add(("weight_decay", "Set the weight decay to 5e-4", [(ControlAction.SetWeightDecay, 5e-4)]));
            var pick = options[new Random(choice.BaselineSeed).Next(options.Count)];
            id = pick.Id;
            title = pick.Title;
            commands.AddRange(pick.Commands);
        }

        foreach (var (action, value) in commands)
        {
            _control.Submit(action, _runId, value);
        }

        Result = new AppliedFix
        {
            TriggerLabel = finding.Label,
            TriggerStep = finding.Step,
            LiveFixCount = liveCount,
            AppliedAtStep = session.Step,
            FixId = id,
            FixTitle = title,
            Commands = [.. commands.Select(c => c.Value is { } v ? $"{Name(c.Action)}({v.ToString("G4", CultureInfo.InvariantCulture)})" : Name(c.Action))],
        };
    }

    public void Finished()
    {
        _engine?.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(10));
        _subscription?.Dispose();
        _pump?.Wait(TimeSpan.FromSeconds(10));
    }

    private static string Name(ControlAction action) => Traces.TraceJson.Name(action);

    private async Task PumpAsync()
    {
        await foreach (var item in _subscription!.Reader.ReadAllAsync())
        {
            switch (item)
            {
                case MetricEvent metric when metric.Values.TryGetValue(MetricNames.LearningRate, out var lr):
                    Volatile.Write(ref _learningRate, lr);
                    break;
                case FindingEvent { State: FindingState.Open } finding when finding.Severity >= FindingSeverity.Warning && _trigger is null:
                    _trigger = finding;
                    break;
            }
        }
    }
}
