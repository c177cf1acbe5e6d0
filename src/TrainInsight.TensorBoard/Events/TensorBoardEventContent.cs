namespace TrainInsight.TensorBoard;

/// <summary>What a <see cref="TensorBoardEvent"/> carries: the case of the event's <c>what</c> field on the wire.</summary>
public enum TensorBoardEventContent
{
    /// <summary>A summary: <see cref="TensorBoardEvent.Values"/> holds its values.</summary>
    Summary,

    /// <summary>The file's version record (usually the first record, e.g. <c>brain.Event:2</c>): see <see cref="TensorBoardEvent.FileVersion"/>.</summary>
    FileVersion,

    /// <summary>A serialized TensorFlow graph (not decoded).</summary>
    GraphDef,

    /// <summary>A serialized TensorFlow meta graph (not decoded).</summary>
    MetaGraphDef,

    /// <summary>A log message (deprecated by TensorFlow; not decoded).</summary>
    LogMessage,

    /// <summary>A session log record (start, stop, checkpoint; not decoded).</summary>
    SessionLog,

    /// <summary>Tagged run metadata (not decoded).</summary>
    RunMetadata,

    /// <summary>An event with none of the content fields set (only a time and a step, or nothing at all).</summary>
    Empty,

    /// <summary>An event whose only content is in fields this reader does not know.</summary>
    Other,
}
