using System.Text.Json.Serialization;

namespace TrainInsight.Dashboard.Internal;

/// <summary>Source-generated JSON for the page's configuration block.</summary>
[JsonSerializable(typeof(Dictionary<string, object>))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(int))]
internal sealed partial class DashboardJsonContext : JsonSerializerContext;
