# syntax=docker/dockerfile:1

# ---- build ---------------------------------------------------------------
FROM golang:1.26-bookworm AS build
WORKDIR /src
# Dependencies first, so they are cached while only sources change.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# Static binary; timetzdata embeds the time-zone database as a fallback.
RUN CGO_ENABLED=0 go build -trimpath -tags timetzdata -ldflags="-s -w" \
        -o /out/partnerbot ./cmd/partnerbot

# ---- run -----------------------------------------------------------------
# distroless/static ships CA certificates and /usr/share/zoneinfo and runs
# as the unprivileged user nonroot (65532).
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/partnerbot /partnerbot
USER nonroot:nonroot
EXPOSE 8080
ENV HTTP_ADDR=:8080
ENTRYPOINT ["/partnerbot"]
