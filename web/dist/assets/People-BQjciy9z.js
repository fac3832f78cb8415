import{n as e}from"./rolldown-runtime-WkwZ5CU-.js";import{H as t,a as n,l as r,n as i,o as a,r as o,t as s,u as c}from"./Status-BRIFI5fN.js";import{a as l}from"./index-TXEEKlO4.js";var u=e(t(),1),d=a(),f=n(`
  query OspoPeople($search: String) {
    people(search: $search, first: 20) {
      nodes {
        id
        displayName
        email
        department
        active
        deactivatedAt
        deactivationReason
        erasedAt
      }
    }
  }
`),p=n(`
  mutation DeactivatePerson($id: ID!, $reason: String!) {
    deactivatePerson(id: $id, reason: $reason) {
      person {
        id
        active
        deactivatedAt
        deactivationReason
      }
      proposalsCancelled
      mentorshipsEnded
      requestsWithdrawn
    }
  }
`),m=n(`
  mutation ReactivatePerson($id: ID!) {
    reactivatePerson(id: $id) {
      id
      active
      deactivatedAt
    }
  }
`),h=n(`
  mutation ErasePerson($id: ID!) {
    erasePerson(id: $id) {
      id
      displayName
      email
      department
      erasedAt
    }
  }
`);function g(){let[e,t]=(0,u.useState)(``),[n,r]=(0,u.useState)(``),[{data:a,fetching:l,error:p},m]=c({query:f,variables:{search:n||null}}),[h,g]=(0,u.useState)(null),v=t=>{t.preventDefault(),r(e.trim())},y=e=>{g(e),m({requestPolicy:`network-only`})};return(0,d.jsxs)(`section`,{"aria-labelledby":`people-heading`,children:[(0,d.jsx)(`h1`,{id:`people-heading`,children:`People`}),(0,d.jsx)(`p`,{className:`meta`,children:`When someone leaves, deactivate them: they lose access at once, proposals to them go to the next mentor, their mentorships end early and their requests are withdrawn. Once deactivated, their personal data can be erased; the figures stay as they are.`}),(0,d.jsxs)(`form`,{className:`inline-form`,role:`search`,onSubmit:v,children:[(0,d.jsx)(`label`,{htmlFor:`people-search`,children:`Name, email or department`}),(0,d.jsx)(`input`,{id:`people-search`,type:`search`,value:e,onChange:e=>t(e.target.value)}),(0,d.jsx)(`button`,{type:`submit`,children:`Search`})]}),h&&(0,d.jsx)(`p`,{className:`notice`,role:`status`,children:h}),l&&!a&&(0,d.jsx)(o,{what:`people`}),(0,d.jsx)(i,{error:p}),a&&a.people.nodes.length===0&&(0,d.jsx)(s,{children:`Nobody matches.`}),(0,d.jsx)(`ul`,{className:`cards`,children:a?.people.nodes.map(e=>(0,d.jsx)(_,{person:e,onChanged:y},e.id))})]})}function _({person:e,onChanged:t}){let[n,a]=r(p),[o,s]=r(m),[c,f]=r(h),[g,_]=(0,u.useState)(``),[v,y]=(0,u.useState)(!1),b=e.id,x=async n=>{n.preventDefault();let r=(await a({id:b,reason:g.trim()})).data?.deactivatePerson;r&&t(`${e.displayName} is deactivated: ${r.proposalsCancelled} proposal(s) passed on, ${r.mentorshipsEnded} mentorship(s) ended, ${r.requestsWithdrawn} request(s) withdrawn.`)},S=async()=>{(await s({id:b})).data&&t(`${e.displayName} can sign in again.`)},C=async()=>{(await f({id:b})).data&&t(`Their personal data is erased.`)},w=n.error??o.error??c.error;return(0,d.jsxs)(`li`,{className:`card`,children:[(0,d.jsxs)(`h2`,{children:[e.displayName,(0,d.jsx)(`span`,{className:`badge ${e.active?`state-active`:`state-closed`}`,children:e.erasedAt?`erased`:e.active?`active`:`deactivated`})]}),(0,d.jsx)(`p`,{className:`meta`,children:[e.email,e.department].filter(Boolean).join(` · `)}),!e.active&&e.deactivatedAt&&(0,d.jsxs)(`p`,{className:`meta`,children:[`Deactivated on `,l(e.deactivatedAt),e.deactivationReason?`: ${e.deactivationReason}`:``,`.`]}),(0,d.jsx)(i,{error:w}),e.active&&(0,d.jsxs)(`form`,{className:`inline-form`,onSubmit:x,children:[(0,d.jsx)(`label`,{htmlFor:`reason-${b}`,children:`Why they leave`}),(0,d.jsx)(`input`,{id:`reason-${b}`,value:g,onChange:e=>_(e.target.value),placeholder:`left the company`}),(0,d.jsx)(`button`,{type:`submit`,disabled:n.fetching,children:`Deactivate`})]}),!e.active&&!e.erasedAt&&(0,d.jsxs)(`div`,{className:`actions`,children:[(0,d.jsx)(`button`,{type:`button`,onClick:()=>void S(),disabled:o.fetching,children:`Reactivate`}),v?(0,d.jsxs)(d.Fragment,{children:[(0,d.jsxs)(`span`,{children:[`Erase `,e.displayName,`'s personal data for good?`]}),(0,d.jsx)(`button`,{type:`button`,className:`danger`,onClick:()=>void C(),disabled:c.fetching,children:`Yes, erase`}),(0,d.jsx)(`button`,{type:`button`,onClick:()=>y(!1),children:`Keep`})]}):(0,d.jsx)(`button`,{type:`button`,onClick:()=>y(!0),children:`Erase personal data`})]})]})}export{g as default};