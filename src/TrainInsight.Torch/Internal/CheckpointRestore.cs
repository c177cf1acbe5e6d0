using System.Globalization;
using static TorchSharp.torch;
using Modules = TorchSharp.Modules;

namespace TrainInsight.Torch.Internal;

/// <summary>
/// What a <see cref="ControlAction.RestoreCheckpoint"/> command does: loads a checkpoint into the live model and, when the
/// checkpoint has an optimizer state that TorchSharp can load, into the optimizer; all or nothing. The current state is
/// kept in memory first and put back when any part of the load fails, so a failed restore never leaves a model
/// half-loaded. Training thread only, at a step boundary.
/// </summary>
internal static class CheckpointRestore
{
    /// <summary>The result of a restore: the acknowledgement, whether the optimizer's state was restored, and whether the run must stop.</summary>
    /// <param name="Status">The acknowledgement's status.</param>
    /// <param name="Message">The acknowledgement's message.</param>
    /// <param name="OptimizerRestored">Whether the optimizer's state (and so its learning rates) came from the checkpoint.</param>
    /// <param name="StopReason">
    /// Why the run must stop: the load failed and putting the previous state back failed too, so the model is in an unknown
    /// state; otherwise <see langword="null"/>.
    /// </param>
    public readonly record struct Result(ControlStatus Status, string Message, bool OptimizerRestored = false, string? StopReason = null);

    public static Result Restore(nn.Module model, optim.Optimizer optimizer, string? path)
    {
        if (path is null)
        {
            return Rejected("A restore_checkpoint command needs the checkpoint's path (ControlCommand.Path); it has none. Nothing was changed.");
        }

        string full;
        try
        {
            full = Path.GetFullPath(path);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return Rejected($"'{path}' is not a valid checkpoint path: {ExceptionText.FirstLine(ex.Message)} Nothing was changed.");
        }

        if (!File.Exists(full))
        {
            return Rejected($"Checkpoint '{full}' does not exist. Nothing was changed.");
        }

        // The optimizer's state is restored only when the checkpoint has one and TorchSharp can load it.
        var optimizerPath = full + TrainingCheckpoint.OptimizerSuffix;
        var stateful = optimizer as Modules.OptimizerHelper;
        var withOptimizer = stateful is not null && File.Exists(optimizerPath);

        MemoryStream? modelBackup = null;
        MemoryStream? optimizerBackup = null;
        try
        {
            try
            {
                // Through writers that leave the streams open: Module.save(Stream) would close them.
                modelBackup = new MemoryStream();
                using (var writer = new BinaryWriter(modelBackup, System.Text.Encoding.UTF8, leaveOpen: true))
                {
                    model.save(writer);
                }

                if (withOptimizer)
                {
                    optimizerBackup = new MemoryStream();
                    using var writer = new BinaryWriter(optimizerBackup, System.Text.Encoding.UTF8, leaveOpen: true);
                    stateful!.save_state_dict(writer);
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                return Rejected($"Checkpoint '{full}' was not restored: the current state could not be kept for a rollback ({ex.GetType().Name}: {ExceptionText.FirstLine(ex.Message)}). Nothing was changed.");
            }

            try
            {
                TrainingCheckpoint.Load(model, full, withOptimizer ? optimizer : null);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                var cause = ex is IOException or InvalidDataException or UnauthorizedAccessException
                    ? ExceptionText.FirstLine(ex.Message)
                    : $"{ex.GetType().Name}: {ExceptionText.FirstLine(ex.Message)}";
                if (TryPutBack(model, stateful, modelBackup, optimizerBackup) is { } rollbackError)
                {
                    var reason = $"Checkpoint '{full}' could not be restored ({cause}) and putting the previous model back failed too ({rollbackError}); the model is in an unknown state, so the run stops.";
                    return new Result(ControlStatus.Rejected, reason, StopReason: reason);
                }

                return Rejected($"Checkpoint '{full}' could not be restored: {cause} The model{(withOptimizer ? " and the optimizer are" : " is")} as before; training continues.");
            }
        }
        finally
        {
            modelBackup?.Dispose();
            optimizerBackup?.Dispose();
        }

        var rates = LearningRates(optimizer);
        var what = withOptimizer
            ? $"model and optimizer state ('{optimizerPath}'); learning rate {rates} now, as at the checkpoint"
            : stateful is null
                ? $"model only (TorchSharp cannot load the state of a {optimizer.GetType().Name} optimizer); the optimizer keeps its state and learning rate {rates}"
                : $"model only (the checkpoint has no optimizer state '{optimizerPath}'); the optimizer keeps its state and learning rate {rates}";
        return new Result(ControlStatus.Applied, $"Restored checkpoint '{full}': {what}. Step numbering continues.", withOptimizer);
    }

    /// <summary>Puts the kept state back; returns the error, or null.</summary>
    private static string? TryPutBack(nn.Module model, Modules.OptimizerHelper? optimizer, MemoryStream modelBackup, MemoryStream? optimizerBackup)
    {
        try
        {
            modelBackup.Position = 0;
            using (var modelReader = new BinaryReader(modelBackup, System.Text.Encoding.UTF8, leaveOpen: true))
            {
                model.load(modelReader, strict: true);
            }

            if (optimizer is not null && optimizerBackup is not null)
            {
                optimizerBackup.Position = 0;
                using var reader = new BinaryReader(optimizerBackup, System.Text.Encoding.UTF8, leaveOpen: true);
                optimizer.load_state_dict(reader);
            }

            return null;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return $"{ex.GetType().Name}: {ExceptionText.FirstLine(ex.Message)}";
        }
    }

    /// <summary>The learning rate (or, when the groups differ, each group's), as the acknowledgement names it.</summary>
    private static string LearningRates(optim.Optimizer optimizer)
    {
        var rates = optimizer.ParamGroups.Select(g => g.LearningRate).Distinct().ToList();
        return rates.Count == 1
            ? rates[0].ToString("R", CultureInfo.InvariantCulture)
            : "per group " + string.Join(", ", optimizer.ParamGroups.Select(g => g.LearningRate.ToString("R", CultureInfo.InvariantCulture)));
    }

    private static Result Rejected(string message) => new(ControlStatus.Rejected, message);
}
