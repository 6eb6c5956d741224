import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AttributeKey;
import java.util.ArrayDeque;

/**
 * The lower floor for the benchmark: a minimal reverse proxy on raw Netty 4.2 with epoll (the transport under
 * Vert.x), one event loop, aggregated HTTP/1.1 messages, a per-loop LIFO pool of keep-alive upstream connections.
 * No routing, filtering, timeouts or error mapping beyond a 502. Its distance from the bare Vert.x row is what the
 * Vert.x layer costs; its distance from nginx is what the JVM and Netty cost.
 *
 * <p>Compiled and run by bench/run.sh against vane.jar (which carries Netty): {@code java -cp vane.jar:DIR
 * BareNettyProxy PORT UPSTREAM_PORT [epoll|io_uring]}. Linux only (epoll or io_uring).
 */
public final class BareNettyProxy {
  private static final AttributeKey<Channel> CLIENT = AttributeKey.valueOf("client");
  private static final ArrayDeque<Channel> IDLE = new ArrayDeque<>(); // touched only on the single event loop

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    int upstream = Integer.parseInt(args[1]);
    boolean uring = args.length > 2 && args[2].equals("io_uring");
    EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1,
        uring ? IoUringIoHandler.newFactory() : EpollIoHandler.newFactory());
    Bootstrap client = new Bootstrap().group(loop)
        .channel(uring ? IoUringSocketChannel.class : EpollSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(10 << 20), new Back());
          }
        });
    new ServerBootstrap().group(loop)
        .channel(uring ? IoUringServerSocketChannel.class : EpollServerSocketChannel.class)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(10 << 20),
                new Front(client, upstream));
          }
        }).bind("127.0.0.1", port).sync();
    System.err.println("bare Netty proxy on 127.0.0.1:" + port + " -> " + upstream + ", 1 event loop, epoll");
  }

  private static final class Front extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final Bootstrap client;
    private final int upstream;

    Front(Bootstrap client, int upstream) {
      this.client = client;
      this.upstream = upstream;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
      FullHttpRequest out = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, req.method(), req.uri(),
          req.content().retain());
      out.headers().set(req.headers()).set("Host", "127.0.0.1:" + upstream);
      Channel front = ctx.channel();
      Channel idle;
      while ((idle = IDLE.pollFirst()) != null && !idle.isActive()) {
        // drop closed connections
      }
      if (idle != null) {
        send(idle, out, front);
        return;
      }
      client.connect("127.0.0.1", upstream).addListener((ChannelFutureListener) f -> {
        if (f.isSuccess()) {
          send(f.channel(), out, front);
        } else {
          out.release();
          front.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.BAD_GATEWAY));
        }
      });
    }
  }

  private static void send(Channel upstream, FullHttpRequest req, Channel front) {
    upstream.attr(CLIENT).set(front);
    upstream.writeAndFlush(req);
  }

  private static final class Back extends SimpleChannelInboundHandler<FullHttpResponse> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse r) {
      Channel front = ctx.channel().attr(CLIENT).getAndSet(null);
      FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, r.status(), r.content().retain());
      res.headers().set(r.headers());
      IDLE.addFirst(ctx.channel());
      if (front != null) {
        front.writeAndFlush(res);
      } else {
        res.release();
      }
    }
  }
}
