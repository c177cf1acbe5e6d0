using System.Globalization;
using static TorchSharp.torch;

namespace TrainInsight.Torch.Internal;

/// <summary>
/// What a session's control commands do besides changing its state: write a checkpoint, run the evaluator, change the
/// optimizer, change early stopping. Each returns the acknowledgement's status and message; a rejected command changes
/// nothing. Training thread only, at a step boundary.
/// </summary>
internal sealed class SessionCommands(
    ITelemetryBus bus, RunDescriptor run, SessionState session, nn.Module model, optim.Optimizer optimizer, EarlyStopper earlyStopping,
    BestAccuracy best, string? checkpointDirectory)
{
    /// <summary>Gets the file the latest checkpoint of the current epoch went to, or <see langword="null"/>.</summary>
    public string? EpochCheckpoint { get; set; }

    /// <summary>Gets or sets the evaluator an evaluate command runs.</summary>
    public Func<ValidationResult>? Evaluator { get; set; }

    /// <summary>Gets or sets whether a checkpoint was restored since the session last looked (the weights jumped).</summary>
    public bool Restored { get; set; }

    private static readonly TimeSpan s_pausePoll = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Carries out every command waiting at a step boundary; while the run is paused, blocks until it is resumed, stopped
    /// or <paramref name="cancellationToken"/> is cancelled (which stops the run).
    /// </summary>
    /// <returns>Whether any command was carried out (the time it took is not step time).</returns>
    public bool ApplyPending(IControlReceiver receiver, CancellationToken cancellationToken)
    {
        var applied = false;
        while (receiver.TryTake(out var command))
        {
            Apply(command);
            applied = true;
        }

        while (session.State == RunState.Paused)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                session.RequestStop();
                break;
            }

            if (receiver.WaitForCommand(s_pausePoll, cancellationToken))
            {
                while (receiver.TryTake(out var command))
                {
                    Apply(command);
                }
            }
        }

        return applied;
    }

    /// <summary>Carries out a command and publishes its acknowledgement (applied, or rejected with the reason).</summary>
    public void Apply(ControlCommand command)
    {
        (ControlStatus status, string? message) = (command.Action, session.State) switch
        {
            (_, _) when session.StopRequested => (ControlStatus.Rejected, "The run is stopping."),
            (ControlAction.Pause, RunState.Training) => Transition(RunState.Paused),
            (ControlAction.Pause, _) => (ControlStatus.Rejected, "The run is already paused."),
            (ControlAction.Resume, RunState.Paused) => Transition(RunState.Training),
            (ControlAction.Resume, _) => (ControlStatus.Rejected, "The run is not paused."),
            (ControlAction.Stop, _) => Stop(),
            (ControlAction.SetLearningRate, _) => SetLearningRate(command.Value),
            (ControlAction.SetWeightDecay, _) => OptimizerSettings.SetWeightDecay(optimizer, command.Value),
            (ControlAction.SaveCheckpoint, _) => SaveCheckpoint(session.Step, session.Epoch),
            (ControlAction.Evaluate, _) => Evaluate(Evaluator, session.Step, session.Epoch),
            (ControlAction.SetEarlyStopping, _) => earlyStopping.SetPatience(command.Value),
            (ControlAction.RestoreCheckpoint, _) => RestoreCheckpoint(command.Path),
            _ => (ControlStatus.Rejected, $"Unsupported action {command.Action}."),
        };

        Acknowledge(command, status, message);
    }

    /// <summary>Acknowledges a command still queued when the run ended: rejected, so every accepted command gets its answer.</summary>
    public void RejectUnhandled(ControlCommand command) => Acknowledge(command, ControlStatus.Rejected, "The run has finished.");

    private void Acknowledge(ControlCommand command, ControlStatus status, string? message) =>
        bus.TryPublish(new TrainingEvent(run, TrainingEventKind.ControlApplied)
        {
            Command = command,
            ControlStatus = status,
            Message = message,
            State = session.State,
            Step = session.Step,
            Epoch = session.EventEpoch,
        });

    private (ControlStatus, string?) Transition(RunState next)
    {
        session.State = next;
        return (ControlStatus.Applied, null);
    }

    private (ControlStatus, string?) Stop()
    {
        session.RequestStop();
        return (ControlStatus.Applied, checkpointDirectory is null
            ? "The run stops at this step boundary."
            : "The run stops at this step boundary and writes its final checkpoint.");
    }

    private (ControlStatus, string?) SetLearningRate(double? value)
    {
        var (status, message) = OptimizerSettings.SetLearningRate(optimizer, value);
        session.LearningRateOverridden |= status == ControlStatus.Applied;
        return (status, message);
    }

    private (ControlStatus, string?) RestoreCheckpoint(string? path)
    {
        var result = CheckpointRestore.Restore(model, optimizer, path);
        if (result.Status == ControlStatus.Applied)
        {
            Restored = true;

            // The checkpoint's learning rate is a rate set by a command: a loop's own schedule must not overwrite it.
            session.LearningRateOverridden |= result.OptimizerRestored;
        }
        else if (result.StopReason is { } reason)
        {
            Restored = true;
            session.RequestStop(reason);
        }

        return (result.Status, result.Message);
    }

    private (ControlStatus, string?) SaveCheckpoint(long step, int epoch)
    {
        if (checkpointDirectory is not { } folder)
        {
            return (ControlStatus.Rejected, "Checkpoints are off for this run: no checkpoint directory is set (TorchMonitorOptions.CheckpointDirectory).");
        }

        var path = Path.Combine(folder, $"step-{step.ToString("D8", CultureInfo.InvariantCulture)}.pt");
        return TryWriteCheckpoint(path, step, epoch) is { } error
            ? (ControlStatus.Rejected, $"The checkpoint could not be written to '{path}': {error} Training continues.")
            : (ControlStatus.Applied, $"Checkpoint written to '{path}'.");
    }

    /// <summary>Writes a checkpoint and publishes <see cref="TrainingEventKind.CheckpointSaved"/>; returns the error, or null.</summary>
    public string? TryWriteCheckpoint(string path, long step, int epoch)
    {
        try
        {
            TrainingCheckpoint.Save(model, path, optimizer);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return ExceptionText.FirstLine(ex.Message);
        }

        EpochCheckpoint = path;
        bus.TryPublish(new TrainingEvent(run, TrainingEventKind.CheckpointSaved)
        {
            Epoch = epoch == 0 ? null : epoch,
            Step = step,
            CheckpointPath = path,
        });
        return null;
    }

    /// <summary>Runs the evaluator between steps and publishes its result; the model goes back to the mode it was in.</summary>
    private (ControlStatus, string?) Evaluate(Func<ValidationResult>? evaluator, long step, int epoch)
    {
        if (evaluator is null)
        {
            return (ControlStatus.Rejected, "This training loop cannot evaluate on request (TrainingSession.Evaluator is not set).");
        }

        ValidationResult result;
        var wasTraining = model.training;
        try
        {
            result = evaluator();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return (ControlStatus.Rejected, $"The evaluation failed: {ex.GetType().Name}: {ExceptionText.FirstLine(ex.Message)} Training continues.");
        }
        finally
        {
            // Whatever the evaluator did, training resumes in the mode it was in.
            model.train(wasTraining);
        }

        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        var parts = new List<string>(2);
        if (result.Loss is { } loss)
        {
            values[MetricNames.ValLoss] = loss;
            parts.Add($"val_loss {loss.ToString("G6", CultureInfo.InvariantCulture)}");
        }

        if (result.Accuracy is { } accuracy)
        {
            values[MetricNames.ValAccuracy] = accuracy;
            values[MetricNames.BestAccuracy] = best.Observe(accuracy);
            parts.Add($"val_accuracy {accuracy.ToString("G6", CultureInfo.InvariantCulture)}");
        }

        if (values.Count > 0)
        {
            bus.TryPublish(new MetricEvent(run, step, values) { Epoch = epoch == 0 ? null : epoch });
        }

        return (ControlStatus.Applied, parts.Count == 0
            ? $"Evaluated at step {step}; the evaluator returned no values."
            : $"Evaluated at step {step}: {string.Join(", ", parts)}.");
    }
}
