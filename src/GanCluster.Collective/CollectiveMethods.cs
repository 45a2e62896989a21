using GanCluster.Collective.Wire;
using Google.Protobuf;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;

namespace GanCluster.Collective;

/// <summary>
/// The server side of <c>Collective</c>, bound by hand so that Pull's response marshaller writes each
/// <see cref="RingFrame"/> into one span of the response pipe. The generated one writes through protobuf's buffer
/// writer, which asks Kestrel's pipe for a fresh 4 KiB block (a pool rent) 256 times per megabyte chunk; this one asks
/// once for the whole frame.
/// </summary>
internal sealed class CollectiveMethods : IServiceMethodProvider<CollectiveService>
{
    private static readonly Method<HelloRequest, HelloReply> Hello = new(
        MethodType.Unary, ReceivedFrame.PullMethod.ServiceName, "Hello", Protobuf(HelloRequest.Parser), Protobuf(HelloReply.Parser));

    private static readonly Method<PullRequest, RingFrame> Pull = new(
        MethodType.ServerStreaming, ReceivedFrame.PullMethod.ServiceName, ReceivedFrame.PullMethod.Name,
        Protobuf(PullRequest.Parser), Marshallers.Create<RingFrame>(WriteInOneSpan, context => RingFrame.Parser.ParseFrom(context.PayloadAsReadOnlySequence())));

    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<CollectiveService> context)
    {
        context.AddUnaryMethod(Hello, [], (service, request, call) => service.Hello(request, call));
        context.AddServerStreamingMethod(Pull, [], (service, request, stream, call) => service.Pull(request, stream, call));
    }

    private static Marshaller<T> Protobuf<T>(MessageParser<T> parser) where T : IMessage<T> =>
        Marshallers.Create(message => message.ToByteArray(), parser.ParseFrom);

    private static void WriteInOneSpan(RingFrame frame, SerializationContext context)
    {
        var size = frame.CalculateSize();
        context.SetPayloadLength(size);
        var writer = context.GetBufferWriter();
        frame.WriteTo(writer.GetSpan(size)[..size]);
        writer.Advance(size);
        context.Complete();
    }
}
