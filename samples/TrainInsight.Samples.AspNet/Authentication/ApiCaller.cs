namespace TrainInsight.Samples.AspNet.Authentication;

/// <summary>Who holds an API key, and in which role: "viewer" watches training, "trainer" also steers and ingests.</summary>
internal sealed record ApiCaller(string Name, string Role);
