package inventory

import (
	"context"
	"hash/fnv"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// StockMethod is the upstream's one method, as gRPC names it: a SKU in
// (google.protobuf.StringValue), its count in stock out
// (google.protobuf.Int64Value). No generated code is needed: the messages
// are the well-known wrappers that protobuf ships.
const StockMethod = "/inventory.v1.Inventory/Stock"

// Stock is the count the upstream holds for sku: deterministic, from 0 to
// 999.
func Stock(sku string) int64 {
	h := fnv.New32a()
	_, _ = h.Write([]byte(sku))
	return int64(h.Sum32() % 1000)
}

// RegisterUpstream registers the inventory service on s: the upstream the
// stock service calls.
func RegisterUpstream(s *grpc.Server) {
	s.RegisterService(&grpc.ServiceDesc{
		ServiceName: "inventory.v1.Inventory",
		HandlerType: (*any)(nil),
		Methods: []grpc.MethodDesc{{
			MethodName: "Stock",
			Handler: func(_ any, ctx context.Context, dec func(any) error, icpt grpc.UnaryServerInterceptor) (any, error) {
				in := new(wrapperspb.StringValue)
				if err := dec(in); err != nil {
					return nil, err
				}
				stock := func(context.Context, any) (any, error) { return wrapperspb.Int64(Stock(in.Value)), nil }
				if icpt == nil {
					return stock(ctx, in)
				}
				return icpt(ctx, in, &grpc.UnaryServerInfo{FullMethod: StockMethod}, stock)
			},
		}},
	}, struct{}{})
}
