using GanCluster.Collective.Wire;
using Google.Protobuf;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;

namespace GanCluster.Collective;

/// <summary>
/// <c>Collective</c>'s methods as the ring binds them by hand, both sides of Pull with their own marshallers: the
/// server writes each <see cref="RingFrame"/> into one span of the response pipe (the generated marshaller writes
/// through protobuf's buffer writer, which asks Kestrel's pipe for a fresh 4 KiB block, a pool rent, 256 times per
/// megabyte chunk), and the client reads it into a pooled <see cref="ReceivedFrame"/>.
/// </summary>
internal sealed class CollectiveMethods : IServiceMethodProvider<CollectiveService>
{
    private static readonly string Service = Wire.Collective.Descriptor.FullName;

    private static readonly Method<HelloRequest, HelloReply> Hello = new(
        MethodType.Unary, Service, "Hello", Protobuf(HelloRequest.Parser), Protobuf(HelloReply.Parser));

    private static readonly Method<PullRequest, RingFrame> Pull = new(
        MethodType.ServerStreaming, Service, "Pull",
        Protobuf(PullRequest.Parser), Marshallers.Create<RingFrame>(WriteInOneSpan, context => RingFrame.Parser.ParseFrom(context.PayloadAsReadOnlySequence())));

    /// <summary>The client side of Pull: the same method, its responses read into pooled arrays.</summary>
    public static readonly Method<PullRequest, ReceivedFrame> PullReceiving = new(
        MethodType.ServerStreaming, Service, Pull.Name, Pull.RequestMarshaller, ReceivedFrame.Marshaller);

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
