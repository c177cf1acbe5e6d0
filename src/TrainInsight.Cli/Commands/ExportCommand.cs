using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using TrainInsight.TensorBoard;

namespace TrainInsight.Cli.Commands;

/// <summary><c>traininsight tb export</c>: every scalar of every event file under a log directory, one record per scalar.</summary>
internal static class ExportCommand
{
    private const int EventsPerBatch = 4_096;

    private static readonly JsonWriterOptions s_json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task<int> RunAsync(string logdir, string format, string? output, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        IReadOnlyList<TensorBoardEventFile> files;
        try
        {
            files = TensorBoardLogDirectory.EnumerateEventFiles(logdir);
        }
        catch (Exception ex) when (ex is DirectoryNotFoundException or IOException or UnauthorizedAccessException)
        {
            await stderr.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return CommandLine.Failed;
        }

        TextWriter writer = stdout;
        StreamWriter? fileWriter = null;
        if (output is not null)
        {
            try
            {
                fileWriter = new StreamWriter(output, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)) { NewLine = "\n" };
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                await stderr.WriteLineAsync($"error: cannot write '{output}': {ex.Message}").ConfigureAwait(false);
                return CommandLine.Failed;
            }

            writer = fileWriter;
        }

        try
        {
            var csv = format == "csv";
            if (csv)
            {
                await writer.WriteAsync("run,tag,step,wall_time,value\n").ConfigureAwait(false);
            }

            long scalars = 0, corrupt = 0, unreadable = 0;
            var buffer = new ArrayBufferWriter<byte>(256);
            foreach (var file in files)
            {
                cancellationToken.ThrowIfCancellationRequested();
                TensorBoardEventFileReader reader;
                try
                {
                    reader = new TensorBoardEventFileReader(file.Path);
                }
                catch (FileNotFoundException)
                {
                    await stderr.WriteLineAsync($"note: '{file.Path}' was deleted before it could be read; it was left out.").ConfigureAwait(false);
                    continue;
                }

                using (reader)
                {
                    // In batches, so that a multi-gigabyte file never sits in memory at once.
                    IReadOnlyList<TensorBoardEvent> batch;
                    do
                    {
                        batch = reader.ReadAvailable(EventsPerBatch);
                        foreach (var e in batch)
                        {
                            foreach (var value in e.Values)
                            {
                                if (value.Kind != TensorBoardValueKind.Scalar)
                                {
                                    continue;
                                }

                                await writer.WriteAsync(csv
                                    ? CsvLine(file.Run, value.Tag, e.Step, e.WallTime, value.Value)
                                    : JsonLine(buffer, file.Run, value.Tag, e.Step, e.WallTime, value.Value)).ConfigureAwait(false);
                                scalars++;
                            }
                        }
                    }
                    while (batch.Count == EventsPerBatch);

                    corrupt += reader.CorruptRecords;
                    unreadable += reader.UnreadableRecords;
                    if (reader.HasPartialRecord)
                    {
                        await stderr.WriteLineAsync($"note: '{file.Path}' ends with an incomplete record (still being written?); it was left out.").ConfigureAwait(false);
                    }
                }
            }

            await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            await stderr.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"exported {scalars:N0} scalars from {files.Count:N0} event files in {files.Select(f => f.Run).Distinct(StringComparer.Ordinal).Count():N0} runs{(corrupt > 0 ? $"; skipped {corrupt:N0} corrupt records" : string.Empty)}{(unreadable > 0 ? $"; skipped {unreadable:N0} records that are not events" : string.Empty)}.")).ConfigureAwait(false);
            return CommandLine.Ok;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await stderr.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return CommandLine.Failed;
        }
        finally
        {
            if (fileWriter is not null)
            {
                await fileWriter.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>One JSON line; non-finite numbers as the strings "NaN", "Infinity" and "-Infinity".</summary>
    internal static string JsonLine(ArrayBufferWriter<byte> buffer, string run, string tag, long step, double wallTime, double value)
    {
        buffer.ResetWrittenCount();
        using (var json = new Utf8JsonWriter(buffer, s_json))
        {
            json.WriteStartObject();
            json.WriteString("run", run);
            json.WriteString("tag", tag);
            json.WriteNumber("step", step);
            WriteDouble(json, "wall_time", wallTime);
            WriteDouble(json, "value", value);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan) + "\n";
    }

    internal static string CsvLine(string run, string tag, long step, double wallTime, double value) =>
        string.Create(CultureInfo.InvariantCulture, $"{Csv(run)},{Csv(tag)},{step},{Number(wallTime)},{Number(value)}\n");

    /// <summary>Writes a number; non-finite ones as the strings "NaN", "Infinity" and "-Infinity".</summary>
    internal static void WriteDouble(Utf8JsonWriter json, string name, double value)
    {
        if (double.IsFinite(value))
        {
            json.WriteNumber(name, value);
        }
        else
        {
            json.WriteString(name, Number(value));
        }
    }

    private static string Number(double value) => value switch
    {
        double.NaN => "NaN",
        double.PositiveInfinity => "Infinity",
        double.NegativeInfinity => "-Infinity",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    private static string Csv(string field) =>
        field.AsSpan().IndexOfAny(",\"\r\n") < 0 ? field : "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
