// An existing ASP.NET Core service that embeds TrainInsight under /training, behind its own authentication.
//
//   dotnet run --project samples/TrainInsight.Samples.AspNet
//   curl http://127.0.0.1:5080/api/models                                            (the service's own, public)
//   curl -H 'Authorization: ApiKey viewer-key' http://127.0.0.1:5080/training/api/runs
//   curl -N 'http://127.0.0.1:5080/training/api/stream/metrics?api_key=viewer-key'  (EventSource cannot set headers)
//
// Trainers elsewhere push with TrainInsight.HttpIngest to http://HOST:5080/training/api/ingest, adding the
// "Authorization: ApiKey trainer-key" header to its named HttpClient (see appsettings.json for the keys).
using TrainInsight.Samples.AspNet;

var app = ServiceApp.Build(args);
await app.RunAsync();
