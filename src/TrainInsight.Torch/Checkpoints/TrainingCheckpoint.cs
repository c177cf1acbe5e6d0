using TrainInsight.Torch.Internal;
using static TorchSharp.torch;

namespace TrainInsight.Torch;

/// <summary>
/// Writes and reads training checkpoints: the model's parameters and buffers in TorchSharp's format (the file also loads
/// with <c>model.load(path)</c>) and, next to it with the <see cref="OptimizerSuffix"/>, the optimizer's state (moments,
/// learning rates), so that training can resume where it stopped.
/// </summary>
public static class TrainingCheckpoint
{
    /// <summary>What is appended to a checkpoint's path for its optimizer state: ".optimizer".</summary>
    public const string OptimizerSuffix = ".optimizer";

    /// <summary>
    /// Writes <paramref name="model"/> to <paramref name="path"/> and, when given, <paramref name="optimizer"/> to
    /// <paramref name="path"/> + <see cref="OptimizerSuffix"/>. Each file is written to a temporary name first and then
    /// renamed, so no half-written file ever has a checkpoint's name. An optimizer state left from an earlier checkpoint
    /// at the same path is deleted first and the new one is renamed into place last, so a model file is never paired with
    /// another checkpoint's optimizer state: after a crash in between, loading with an optimizer fails with
    /// <see cref="FileNotFoundException"/>. The folder is created if needed.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="path">The checkpoint's path.</param>
    /// <param name="optimizer">The optimizer, or <see langword="null"/> to write the model only. Its state is written when
    /// TorchSharp can save it (its managed optimizers: SGD, Adam, AdamW, RMSprop and the others derived from
    /// <c>OptimizerHelper</c>); otherwise only the model is written.</param>
    /// <exception cref="IOException">A file could not be written or renamed.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder may not be written.</exception>
    public static void Save(nn.Module model, string path, optim.Optimizer? optimizer = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.GetFullPath(path);
        if (Path.GetDirectoryName(full) is { } directory)
        {
            Directory.CreateDirectory(directory);
        }

        var stateful = optimizer as TorchSharp.Modules.OptimizerHelper;
        var modelTemp = TempName(full);
        var optimizerTemp = stateful is null ? null : TempName(full + OptimizerSuffix);
        try
        {
            model.save(modelTemp);
            stateful?.save_state_dict(optimizerTemp!);

            // Never a new model next to an old optimizer state: the old state goes first, the new one comes last.
            File.Delete(full + OptimizerSuffix);
            File.Move(modelTemp, full, overwrite: true);
            if (optimizerTemp is not null)
            {
                File.Move(optimizerTemp, full + OptimizerSuffix, overwrite: false);
            }
        }
        finally
        {
            TryDelete(modelTemp);
            if (optimizerTemp is not null)
            {
                TryDelete(optimizerTemp);
            }
        }
    }

    /// <summary>
    /// Loads a checkpoint written by <see cref="Save"/> (or by <c>model.save</c>) into <paramref name="model"/> and, when
    /// given, its optimizer state into <paramref name="optimizer"/>. The model must have the same layers and shapes.
    /// </summary>
    /// <param name="model">The model to load into.</param>
    /// <param name="path">The checkpoint's path.</param>
    /// <param name="optimizer">The optimizer to load into (the same type over the same parameters), or <see langword="null"/>.</param>
    /// <exception cref="FileNotFoundException">The checkpoint, or the optimizer state asked for, does not exist.</exception>
    /// <exception cref="ArgumentException"><paramref name="optimizer"/> is of a kind whose state TorchSharp cannot load.</exception>
    /// <exception cref="InvalidDataException">A file is not a checkpoint of this model or optimizer; the message names it.</exception>
    public static void Load(nn.Module model, string path, optim.Optimizer? optimizer = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.GetFullPath(path);
        var optimizerPath = full + OptimizerSuffix;
        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"Checkpoint '{full}' does not exist.", full);
        }

        if (optimizer is not null and not TorchSharp.Modules.OptimizerHelper)
        {
            throw new ArgumentException($"TorchSharp cannot load the state of a {optimizer.GetType().Name} optimizer.", nameof(optimizer));
        }

        if (optimizer is not null && !File.Exists(optimizerPath))
        {
            throw new FileNotFoundException($"Checkpoint '{full}' has no optimizer state ('{optimizerPath}' does not exist).", optimizerPath);
        }

        try
        {
            model.load(full, strict: true);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new InvalidDataException($"'{full}' is not a checkpoint of this {model.GetName()}: {ExceptionText.FirstLine(ex.Message)}", ex);
        }

        if (optimizer is null)
        {
            return;
        }

        try
        {
            ((TorchSharp.Modules.OptimizerHelper)optimizer).load_state_dict(optimizerPath);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new InvalidDataException($"'{optimizerPath}' is not the state of this {optimizer.GetType().Name} optimizer: {ExceptionText.FirstLine(ex.Message)}", ex);
        }
    }

    private static string TempName(string path) => $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
