//! The least a GraphQL-over-HTTP server can do: one actix worker, one
//! `{ hello }` field, the JSON body read by actix and the request run by
//! async-graphql. `bench/api/ratio.sh` runs it beside `tandem serve` on the
//! same core and reports Tandem's authenticated `{ me { id } }` as a ratio
//! of it. Usage: `tandem-bench-hello 127.0.0.1:18182`.

use actix_web::{App, HttpResponse, HttpServer, web};
use async_graphql::{EmptyMutation, EmptySubscription, Object, Schema};

struct Query;

#[Object]
impl Query {
    async fn hello(&self) -> &'static str {
        "world"
    }
}

type HelloSchema = Schema<Query, EmptyMutation, EmptySubscription>;

async fn graphql(
    schema: web::Data<HelloSchema>,
    request: web::Json<async_graphql::Request>,
) -> HttpResponse {
    HttpResponse::Ok().json(schema.execute(request.into_inner()).await)
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let address = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:18182".into());
    let schema = Schema::new(Query, EmptyMutation, EmptySubscription);
    HttpServer::new(move || {
        App::new()
            .app_data(web::Data::new(schema.clone()))
            .route("/graphql", web::post().to(graphql))
    })
    .workers(1)
    .bind(address)?
    .run()
    .await
}
