/*
 * open311.h — the Open311 GeoReport v2 endpoint under /open311/v2/
 * (docs/open311.md): discovery, services, service definitions, POST and GET
 * requests, in XML and JSON.
 *
 * Every answer under /open311/, errors included, is in the specification's
 * shape: http.c sets Req.open311_format from the path and reply_error()
 * hands errors to open311_reply_error().
 */
#ifndef MINHU_SERVER_OPEN311_H
#define MINHU_SERVER_OPEN311_H

#include "server.h"

/* Route handlers (handlers.c's table). */
void h_open311_discovery(Req *r);  /* GET /open311/discovery.{fmt} */
void h_open311_get(Req *r);        /* GET /open311/v2/{discovery,services,requests}.{fmt} */
void h_open311_post(Req *r);       /* POST /open311/v2/requests.{fmt} */
void h_open311_definition(Req *r); /* GET /open311/v2/services/{code}.{fmt} */
void h_open311_request(Req *r);    /* GET /open311/v2/requests/{id}.{fmt} */
void h_open311_token(Req *r);      /* GET /open311/v2/tokens/{token}.{fmt}: none exist */

/* The database answered a job of an RS_OPEN311_* stage. */
void open311_resume(Req *r);

/* Answers ei as the specification's errors document, status 400/403/404. */
void open311_reply_error(Req *r, const ErrInfo *ei);

/* Frees a request's Open311 state (NULL is fine). */
void open311_state_free(struct Open311State *st);

#endif
